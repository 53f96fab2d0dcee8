-- sqlserver-admin: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
-- params: ["D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak","dbmove-copy-1a2b3c4d5e","dbmove: copy of AxDB for refresh-1"]
BACKUP DATABASE [AxDB] TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2, STATS = 5;

-- params: ["D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak"]
RESTORE FILELISTONLY FROM DISK = @p0;

-- params: ["D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak","AxDB","E:\\Data\\AxDB_stg_1a2b3c4d5e_AxDB.mdf","AxDB_log","F:\\Log\\AxDB_stg_1a2b3c4d5e_AxDB_log.ldf"]
RESTORE DATABASE [AxDB_stg_1a2b3c4d5e] FROM DISK = @p0 WITH MOVE @p1 TO @p2, MOVE @p3 TO @p4, REPLACE, RECOVERY, CHECKSUM, STATS = 5;

-- params: ["D:\\Backups\\AxDB_base_1a2b3c4d5e.bak","dbmove-base-1a2b3c4d5e","dbmove: first full backup"]
BACKUP DATABASE [AxDB] TO DISK = @p0 WITH INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2, STATS = 5;

-- params: ["D:\\Backups\\AxDB_marker_1a2b3c4d5e.bak","dbmove-marker-1a2b3c4d5e","dbmove marker of refresh-1; utc=2026-01-01T00:00:00.000Z; local=2026-01-01T01:00:00.000"]
BACKUP LOG [AxDB] TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2;

-- params: ["D:\\Backups\\full-1.bak","D:\\Backups\\full-2.bak","AxDB","E:\\Data\\rb.mdf"]
RESTORE DATABASE [AxDB_rb_1a2b3c4d5e] FROM DISK = @p0, DISK = @p1 WITH MOVE @p2 TO @p3, REPLACE, NORECOVERY, STATS = 5;

-- params: ["D:\\Backups\\log-1.trn","2026-01-01T01:00:00.000"]
DECLARE @stop_at datetime = CONVERT(datetime, @p1, 126); RESTORE LOG [AxDB_rb_1a2b3c4d5e] FROM DISK = @p0 WITH NORECOVERY, STOPAT = @stop_at;

-- params: ["D:\\Backups\\AxDB_marker_1a2b3c4d5e.bak","2026-01-01T01:00:00.000"]
DECLARE @stop_at datetime = CONVERT(datetime, @p1, 126); RESTORE LOG [AxDB_rb_1a2b3c4d5e] FROM DISK = @p0 WITH NORECOVERY, CHECKSUM, STOPAT = @stop_at;

RESTORE DATABASE [AxDB_rb_1a2b3c4d5e] WITH RECOVERY;

ALTER DATABASE [AxDB] SET AUTO_UPDATE_STATISTICS_ASYNC OFF;

-- params: ["AxDB_pre_1a2b3c4d5e"]
ALTER DATABASE [AxDB] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; ALTER DATABASE [AxDB] MODIFY NAME = [AxDB_pre_1a2b3c4d5e]; IF DB_ID(@p0) IS NOT NULL ALTER DATABASE [AxDB_pre_1a2b3c4d5e] SET MULTI_USER;;

ALTER DATABASE [AxDB_pre_1a2b3c4d5e] SET AUTO_UPDATE_STATISTICS_ASYNC ON;

-- params: ["AxDB"]
IF DB_ID(@p0) IS NOT NULL ALTER DATABASE [AxDB] SET MULTI_USER;

-- params: ["AxDB_stg_1a2b3c4d5e"]
IF DATABASEPROPERTYEX(@p0, 'Status') = 'ONLINE' BEGIN ALTER DATABASE [AxDB_stg_1a2b3c4d5e] SET AUTO_UPDATE_STATISTICS_ASYNC OFF; ALTER DATABASE [AxDB_stg_1a2b3c4d5e] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; END; DROP DATABASE [AxDB_stg_1a2b3c4d5e];;

-- params: ["AxDB","AxDB_stg_1a2b3c4d5e"]
SELECT d.name AS name, d.state_desc AS state, d.recovery_model_desc AS recoveryModel, d.is_auto_update_stats_async_on AS autoUpdateStatsAsync, CAST(rs.database_guid AS nvarchar(36)) AS databaseGuid, CASE WHEN rs.last_log_backup_lsn IS NULL THEN 0 ELSE 1 END AS logChainStarted FROM sys.databases AS d LEFT JOIN sys.database_recovery_status AS rs ON rs.database_id = d.database_id WHERE d.name IN (@p0, @p1);

-- params: ["6c764297-577b-470f-9af4-96d3d41e2ba3"]
SELECT b.backup_set_id AS id, b.type AS type, b.is_copy_only AS isCopyOnly, b.name AS name, b.description AS description, CAST(b.first_lsn AS varchar(30)) AS firstLsn, CAST(b.last_lsn AS varchar(30)) AS lastLsn, CONVERT(varchar(23), b.backup_start_date, 126) AS startedLocal, CONVERT(varchar(23), b.backup_finish_date, 126) AS finishedLocal, CAST(b.time_zone AS int) AS timeZone, b.has_backup_checksums AS hasChecksums, CAST(b.backup_size AS bigint) AS bytes, m.physical_device_name AS file FROM msdb.dbo.backupset AS b JOIN msdb.dbo.backupmediafamily AS m ON m.media_set_id = b.media_set_id WHERE b.database_guid = CAST(@p0 AS uniqueidentifier) AND b.type IN ('D', 'L') AND m.device_type IN (2, 102) ORDER BY b.first_lsn, b.backup_set_id, m.family_sequence_number;

-- params: ["dbmove-marker-1a2b3c4d5e"]
SELECT TOP (1) b.backup_set_id AS id, b.type AS type, CAST(b.database_guid AS nvarchar(36)) AS databaseGuid, b.database_name AS databaseName, b.description AS description, CAST(b.backup_size AS bigint) AS bytes, CONVERT(varchar(23), b.backup_finish_date, 126) AS finishedLocal, CAST(b.time_zone AS int) AS timeZone FROM msdb.dbo.backupset AS b WHERE b.name = @p0 ORDER BY b.backup_finish_date DESC;

-- params: ["2026-03-29T01:30:00.000Z","W. Europe Standard Time"]
SELECT CONVERT(varchar(23), CONVERT(datetime2(3), CAST(@p0 AS datetimeoffset(3)) AT TIME ZONE @p1), 126) AS wallClock, CONVERT(varchar(23), CONVERT(datetime2(3), DATEADD(hour, -1, CAST(@p0 AS datetimeoffset(3))) AT TIME ZONE @p1), 126) AS hourBefore, CONVERT(varchar(23), CONVERT(datetime2(3), DATEADD(hour, 1, CAST(@p0 AS datetimeoffset(3))) AT TIME ZONE @p1), 126) AS hourAfter;

SELECT SYSUTCDATETIME() AS utc, SYSDATETIME() AS serverLocal, DATEDIFF(minute, SYSUTCDATETIME(), SYSDATETIME()) AS offsetMinutes;

SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(4000)) AS dataPath, CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(4000)) AS logPath;

-- params: [57]
SELECT percent_complete AS percent FROM sys.dm_exec_requests WHERE session_id = @p0;
