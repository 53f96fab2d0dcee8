import { quoteDatabase } from '../tsql/tsql-dialect';

/**
 * The server-level T-SQL the SQL Server engine runs in master: backup, restore, rename and
 * drop. Database names are bracketed after the strict name check; file paths, backup names,
 * times and logical file names are always parameters (BACKUP and RESTORE accept variables for
 * every one of them), so nothing from a catalog or a backup header is spliced into a statement.
 */
export interface RenderedAdmin {
  sql: string;
  params: unknown[];
}

const p = (i: number) => `@p${i}`;

export function databaseStates(names: string[]): RenderedAdmin {
  return {
    sql: `SELECT d.name AS name, d.state_desc AS state, d.recovery_model_desc AS recoveryModel, CAST(rs.database_guid AS nvarchar(36)) AS databaseGuid, CASE WHEN rs.last_log_backup_lsn IS NULL THEN 0 ELSE 1 END AS logChainStarted FROM sys.databases AS d LEFT JOIN sys.database_recovery_status AS rs ON rs.database_id = d.database_id WHERE d.name IN (${names.map((_, i) => p(i)).join(', ')})`,
    params: names,
  };
}

export const SERVER_TIME: RenderedAdmin = {
  sql: 'SELECT SYSUTCDATETIME() AS utc, SYSDATETIME() AS serverLocal, DATEDIFF(minute, SYSUTCDATETIME(), SYSDATETIME()) AS offsetMinutes',
  params: [],
};

export const DEFAULT_PATHS: RenderedAdmin = {
  sql: "SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(4000)) AS dataPath, CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(4000)) AS logPath",
  params: [],
};

/** A full backup that leaves the database's backup chain alone (COPY_ONLY): the COPY of a refresh. */
export function backupCopyOnly(database: string, file: string, name: string, description: string): RenderedAdmin {
  return {
    sql: `BACKUP DATABASE ${quoteDatabase(database)} TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2, STATS = 5`,
    params: [file, name, description],
  };
}

/**
 * The first full backup of a database whose log chain has not started (never backed up
 * since FULL recovery was set): without it no log backup, and so no marker, is possible.
 */
export function backupChainBase(database: string, file: string, name: string, description: string): RenderedAdmin {
  return {
    sql: `BACKUP DATABASE ${quoteDatabase(database)} TO DISK = @p0 WITH INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2, STATS = 5`,
    params: [file, name, description],
  };
}

/**
 * MARKER: a log backup taken right after the marker time, so the log up to the marker is in
 * a backup. COPY_ONLY keeps it out of the customer's own log chain: their next log backup
 * still follows their previous one, and their restore sequences need no file of ours.
 */
export function backupLogMarker(database: string, file: string, name: string, description: string): RenderedAdmin {
  return {
    sql: `BACKUP LOG ${quoteDatabase(database)} TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2`,
    params: [file, name, description],
  };
}

/**
 * Zeroes the free space of every data page of `database` (sp_clean_db_free_space, run in
 * master; db_owner): the bytes of rows SCRUB deleted or rewrote, and of what the source had
 * freed before its backup was taken, so that neither the swapped-in database nor a backup of
 * it carries them on its pages. What it leaves is in docs/engines.md ("What a page-level copy
 * keeps").
 */
export function cleanFreeSpace(database: string): RenderedAdmin {
  return { sql: 'EXEC sys.sp_clean_db_free_space @dbname = @p0', params: [database] };
}

export function fileList(files: string[]): RenderedAdmin {
  return { sql: `RESTORE FILELISTONLY FROM ${disks(files, 0)}`, params: [...files] };
}

function disks(files: string[], first: number): string {
  if (!files.length) throw new Error('A restore needs at least one backup file');
  return files.map((_, i) => `DISK = ${p(first + i)}`).join(', ');
}

export interface Move {
  logicalName: string;
  physicalName: string;
}

/** RESTORE DATABASE with every file moved to the target's own paths (WITH MOVE), over any leftover of an earlier attempt (REPLACE). */
export function restoreDatabase(database: string, files: string[], moves: Move[], recovery: boolean): RenderedAdmin {
  const params: unknown[] = [...files];
  const moveClauses = moves.map((m) => {
    params.push(m.logicalName, m.physicalName);
    return `MOVE ${p(params.length - 2)} TO ${p(params.length - 1)}`;
  });
  return {
    sql: `RESTORE DATABASE ${quoteDatabase(database)} FROM ${disks(files, 0)} WITH ${[...moveClauses, 'REPLACE', recovery ? 'RECOVERY' : 'NORECOVERY', 'CHECKSUM', 'STATS = 5'].join(', ')}`,
    params,
  };
}

/** One log backup of a point-in-time restore sequence; STOPAT is the server's local time. */
export function restoreLog(database: string, files: string[], stopAtLocal: string): RenderedAdmin {
  return {
    sql: `RESTORE LOG ${quoteDatabase(database)} FROM ${disks(files, 0)} WITH NORECOVERY, STOPAT = ${p(files.length)}`,
    params: [...files, stopAtLocal],
  };
}

export function recoverDatabase(database: string): RenderedAdmin {
  return { sql: `RESTORE DATABASE ${quoteDatabase(database)} WITH RECOVERY`, params: [] };
}

/**
 * Rename with exclusive access, in one batch so the database is single-user for as short a
 * time as possible; a failed rename returns it to MULTI_USER before the error is raised.
 */
export function renameDatabase(from: string, to: string): RenderedAdmin {
  const a = quoteDatabase(from);
  const b = quoteDatabase(to);
  return {
    sql: [
      `ALTER DATABASE ${a} SET SINGLE_USER WITH ROLLBACK IMMEDIATE;`,
      `BEGIN TRY ALTER DATABASE ${a} MODIFY NAME = ${b}; END TRY`,
      `BEGIN CATCH ALTER DATABASE ${a} SET MULTI_USER; THROW; END CATCH;`,
      `ALTER DATABASE ${b} SET MULTI_USER;`,
    ].join(' '),
    params: [],
  };
}

/** Drops a database; one left RESTORING by a crashed restore cannot be set single-user, and needs not be. */
export function dropDatabase(database: string): RenderedAdmin {
  const q = quoteDatabase(database);
  return {
    sql: `IF DATABASEPROPERTYEX(@p0, 'Status') = 'ONLINE' ALTER DATABASE ${q} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ${q};`,
    params: [database],
  };
}

/** Every backup set of the database with its files, oldest first: what a point-in-time restore chooses from. */
export function backupHistory(databaseGuid: string): RenderedAdmin {
  return {
    sql: [
      'SELECT b.backup_set_id AS id, b.type AS type, b.is_copy_only AS isCopyOnly, b.name AS name, b.description AS description,',
      'CAST(b.first_lsn AS varchar(30)) AS firstLsn, CAST(b.last_lsn AS varchar(30)) AS lastLsn,',
      'CONVERT(varchar(23), b.backup_start_date, 126) AS startedLocal, CONVERT(varchar(23), b.backup_finish_date, 126) AS finishedLocal,',
      'CAST(b.backup_size AS bigint) AS bytes, m.physical_device_name AS file',
      'FROM msdb.dbo.backupset AS b JOIN msdb.dbo.backupmediafamily AS m ON m.media_set_id = b.media_set_id',
      "WHERE b.database_guid = CAST(@p0 AS uniqueidentifier) AND b.type IN ('D', 'L') AND m.device_type IN (2, 102)",
      'ORDER BY b.first_lsn, b.backup_set_id, m.family_sequence_number',
    ].join(' '),
    params: [databaseGuid],
  };
}

/** The backup set dbmove named (a marker, a copy), most recent first, with the database it belongs to. */
export function backupByName(name: string): RenderedAdmin {
  return {
    sql: [
      'SELECT TOP (1) b.backup_set_id AS id, CAST(b.database_guid AS nvarchar(36)) AS databaseGuid, b.database_name AS databaseName, b.description AS description, CAST(b.backup_size AS bigint) AS bytes',
      'FROM msdb.dbo.backupset AS b WHERE b.name = @p0 ORDER BY b.backup_finish_date DESC',
    ].join(' '),
    params: [name],
  };
}

export function sessionId(): RenderedAdmin {
  return { sql: 'SELECT CAST(@@SPID AS int) AS spid', params: [] };
}

export function requestProgress(spid: number): RenderedAdmin {
  return { sql: 'SELECT percent_complete AS percent FROM sys.dm_exec_requests WHERE session_id = @p0', params: [spid] };
}
