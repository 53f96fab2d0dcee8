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
    sql: `SELECT d.name AS name, d.state_desc AS state, d.recovery_model_desc AS recoveryModel, d.is_auto_update_stats_async_on AS autoUpdateStatsAsync, CAST(rs.database_guid AS nvarchar(36)) AS databaseGuid, CASE WHEN rs.last_log_backup_lsn IS NULL THEN 0 ELSE 1 END AS logChainStarted FROM sys.databases AS d LEFT JOIN sys.database_recovery_status AS rs ON rs.database_id = d.database_id WHERE d.name IN (${names.map((_, i) => p(i)).join(', ')})`,
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

/**
 * RESTORE DATABASE with every file moved to the target's own paths (WITH MOVE), over any
 * leftover of an earlier attempt (REPLACE). CHECKSUM only for a backup set that has backup
 * checksums (msdb's has_backup_checksums): RESTORE ... WITH CHECKSUM fails on a backup taken
 * without them, which is SQL Server's default and so what a customer's own backups may be.
 */
export function restoreDatabase(database: string, files: string[], moves: Move[], recovery: boolean, checksum: boolean): RenderedAdmin {
  const params: unknown[] = [...files];
  const moveClauses = moves.map((m) => {
    params.push(m.logicalName, m.physicalName);
    return `MOVE ${p(params.length - 2)} TO ${p(params.length - 1)}`;
  });
  const options = [...moveClauses, 'REPLACE', recovery ? 'RECOVERY' : 'NORECOVERY', ...(checksum ? ['CHECKSUM'] : []), 'STATS = 5'];
  return { sql: `RESTORE DATABASE ${quoteDatabase(database)} FROM ${disks(files, 0)} WITH ${options.join(', ')}`, params };
}

/**
 * One log backup of a point-in-time restore sequence. STOPAT takes a constant or a variable of
 * type varchar, char, smalldatetime or datetime, never nvarchar (what mssql binds a string as):
 * the server's local time arrives as text in ISO 8601 and becomes a datetime variable
 * (CONVERT style 126), whatever the session's language and date format.
 */
export function restoreLog(database: string, files: string[], stopAtLocal: string, checksum: boolean): RenderedAdmin {
  const at = p(files.length);
  return {
    sql: `DECLARE @stop_at datetime = CONVERT(datetime, ${at}, 126); RESTORE LOG ${quoteDatabase(database)} FROM ${disks(files, 0)} WITH NORECOVERY, ${checksum ? 'CHECKSUM, ' : ''}STOPAT = @stop_at`,
    params: [...files, stopAtLocal],
  };
}

export function recoverDatabase(database: string): RenderedAdmin {
  return { sql: `RESTORE DATABASE ${quoteDatabase(database)} WITH RECOVERY`, params: [] };
}

/**
 * AUTO_UPDATE_STATISTICS_ASYNC off before single-user mode and back on after: its background
 * thread takes a connection to the database, and single-user mode allows only one (Microsoft's
 * ALTER DATABASE SET options reference).
 */
export function autoUpdateStatisticsAsync(database: string, on: boolean): RenderedAdmin {
  return { sql: `ALTER DATABASE ${quoteDatabase(database)} SET AUTO_UPDATE_STATISTICS_ASYNC ${on ? 'ON' : 'OFF'}`, params: [] };
}

/**
 * Rename with exclusive access, in one batch so that the database is single-user for as short
 * a time as possible. No TRY/CATCH: a CATCH block sees only the last of the server's messages
 * ("ALTER DATABASE statement failed"), never the cause before it. A failed rename reaches the
 * client with every message, and the engine then returns the database to MULTI_USER itself.
 */
export function renameDatabase(from: string, to: string): RenderedAdmin {
  const a = quoteDatabase(from);
  const b = quoteDatabase(to);
  return {
    sql: [
      `ALTER DATABASE ${a} SET SINGLE_USER WITH ROLLBACK IMMEDIATE;`,
      `ALTER DATABASE ${a} MODIFY NAME = ${b};`,
      `IF DB_ID(@p0) IS NOT NULL ALTER DATABASE ${b} SET MULTI_USER;`,
    ].join(' '),
    params: [to],
  };
}

/** After a failed rename: the database back to MULTI_USER under its old name, if it is still there. */
export function multiUser(database: string): RenderedAdmin {
  return { sql: `IF DB_ID(@p0) IS NOT NULL ALTER DATABASE ${quoteDatabase(database)} SET MULTI_USER`, params: [database] };
}

/**
 * Drops a database. An online one is made single-user first (its background statistics thread
 * stopped, as for a rename); one left RESTORING by a crashed restore cannot be, and needs not be.
 */
export function dropDatabase(database: string): RenderedAdmin {
  const q = quoteDatabase(database);
  return {
    sql: `IF DATABASEPROPERTYEX(@p0, 'Status') = 'ONLINE' BEGIN ALTER DATABASE ${q} SET AUTO_UPDATE_STATISTICS_ASYNC OFF; ALTER DATABASE ${q} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; END; DROP DATABASE ${q};`,
    params: [database],
  };
}

/**
 * Every backup set of the database with its files, oldest first: what a point-in-time restore
 * chooses from. Times are msdb's local times with the offset from UTC the server had when it
 * took each backup (time_zone, in 15-minute steps; 127 when unknown), so that each converts to
 * UTC with its own offset, across daylight-saving changes.
 */
export function backupHistory(databaseGuid: string): RenderedAdmin {
  return {
    sql: [
      'SELECT b.backup_set_id AS id, b.type AS type, b.is_copy_only AS isCopyOnly, b.name AS name, b.description AS description,',
      'CAST(b.first_lsn AS varchar(30)) AS firstLsn, CAST(b.last_lsn AS varchar(30)) AS lastLsn,',
      'CONVERT(varchar(23), b.backup_start_date, 126) AS startedLocal, CONVERT(varchar(23), b.backup_finish_date, 126) AS finishedLocal,',
      'CAST(b.time_zone AS int) AS timeZone, b.has_backup_checksums AS hasChecksums,',
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
      'SELECT TOP (1) b.backup_set_id AS id, b.type AS type, CAST(b.database_guid AS nvarchar(36)) AS databaseGuid, b.database_name AS databaseName, b.description AS description, CAST(b.backup_size AS bigint) AS bytes,',
      'CONVERT(varchar(23), b.backup_finish_date, 126) AS finishedLocal, CAST(b.time_zone AS int) AS timeZone',
      'FROM msdb.dbo.backupset AS b WHERE b.name = @p0 ORDER BY b.backup_finish_date DESC',
    ].join(' '),
    params: [name],
  };
}

/**
 * A UTC instant as the server's wall-clock time in the Windows time zone `zone` (the catalog's
 * timeZone), with the zone's own daylight-saving rules (AT TIME ZONE, SQL Server 2016 on), and
 * the wall-clock times an hour either side: equal to it when the time falls in the hour that
 * repeats when clocks go back, which a local STOPAT cannot tell apart.
 */
export function wallClockIn(utcIso: string, zone: string): RenderedAdmin {
  const local = (instant: string) => `CONVERT(varchar(23), CONVERT(datetime2(3), ${instant} AT TIME ZONE @p1), 126)`;
  const at = 'CAST(@p0 AS datetimeoffset(3))';
  return {
    sql: `SELECT ${local(at)} AS wallClock, ${local(`DATEADD(hour, -1, ${at})`)} AS hourBefore, ${local(`DATEADD(hour, 1, ${at})`)} AS hourAfter`,
    params: [utcIso, zone],
  };
}

export function sessionId(): RenderedAdmin {
  return { sql: 'SELECT CAST(@@SPID AS int) AS spid', params: [] };
}

export function requestProgress(spid: number): RenderedAdmin {
  return { sql: 'SELECT percent_complete AS percent FROM sys.dm_exec_requests WHERE session_id = @p0', params: [spid] };
}
