-- principals-postconfig: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
-- params: ["axdbadmin","p4ss'; DROP USER dbo; --"]
DECLARE @sql nvarchar(max) = CASE WHEN DATABASE_PRINCIPAL_ID(@p0) IS NULL THEN N'CREATE USER ' ELSE N'ALTER USER ' END + QUOTENAME(@p0) + N' WITH PASSWORD = ' + QUOTENAME(@p1, N''''); EXEC sys.sp_executesql @sql;

-- params: ["db_owner"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_owner","axdbadmin"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["axruntimeuser","test_axruntimeuser_password-value"]
DECLARE @sql nvarchar(max) = CASE WHEN DATABASE_PRINCIPAL_ID(@p0) IS NULL THEN N'CREATE USER ' ELSE N'ALTER USER ' END + QUOTENAME(@p0) + N' WITH PASSWORD = ' + QUOTENAME(@p1, N''''); EXEC sys.sp_executesql @sql;

-- params: ["db_datareader"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_datareader","axruntimeuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["db_datawriter"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_datawriter","axruntimeuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["axmrruntimeuser","test_axmrruntimeuser_password-value"]
DECLARE @sql nvarchar(max) = CASE WHEN DATABASE_PRINCIPAL_ID(@p0) IS NULL THEN N'CREATE USER ' ELSE N'ALTER USER ' END + QUOTENAME(@p0) + N' WITH PASSWORD = ' + QUOTENAME(@p1, N''''); EXEC sys.sp_executesql @sql;

-- params: ["ReportingIntegrationUser"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["ReportingIntegrationUser","axmrruntimeuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["db_datareader"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_datareader","axmrruntimeuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["db_datawriter"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_datawriter","axmrruntimeuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["axdeployuser","axdeployuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NULL BEGIN DECLARE @sql nvarchar(max) = N'CREATE USER ' + QUOTENAME(@p0) + N' FROM LOGIN ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["db_owner"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

-- params: ["db_owner","axdeployuser"]
IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END;

-- params: ["axdeployextuser","x"]
DECLARE @sql nvarchar(max) = CASE WHEN DATABASE_PRINCIPAL_ID(@p0) IS NULL THEN N'CREATE USER ' ELSE N'ALTER USER ' END + QUOTENAME(@p0) + N' WITH PASSWORD = ' + QUOTENAME(@p1, N''''); EXEC sys.sp_executesql @sql;

-- params: ["DeployExtensibilityRole"]
SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0;

IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 6 DAYS, AUTO_CLEANUP = ON);
