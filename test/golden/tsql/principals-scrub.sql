-- principals-scrub: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT s.name AS schemaName, t.name AS tableName FROM sys.change_tracking_tables ct JOIN sys.tables t ON ct.object_id = t.object_id JOIN sys.schemas s ON t.schema_id = s.schema_id ORDER BY s.name, t.name;

-- params: ["dbo","CUSTTABLE"]
DECLARE @sql nvarchar(max) = N'ALTER TABLE ' + QUOTENAME(@p0) + N'.' + QUOTENAME(@p1) + N' DISABLE CHANGE_TRACKING'; EXEC sys.sp_executesql @sql;

-- params: ["dbo","VENDTABLE"]
DECLARE @sql nvarchar(max) = N'ALTER TABLE ' + QUOTENAME(@p0) + N'.' + QUOTENAME(@p1) + N' DISABLE CHANGE_TRACKING'; EXEC sys.sp_executesql @sql;

IF EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) ALTER DATABASE CURRENT SET CHANGE_TRACKING = OFF;

SELECT name FROM sys.sysusers WHERE issqlrole = 0 AND isapprole = 0 AND hasdbaccess = 1 AND name <> 'dbo' ORDER BY name;

-- params: ["axdbadmin"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axdbadmin"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axdbadmin"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["axruntimeuser"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axruntimeuser"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axruntimeuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["axmrruntimeuser"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axmrruntimeuser"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axmrruntimeuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["axretailruntimeuser"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axretailruntimeuser"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axretailruntimeuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["axretaildatasyncuser"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axretaildatasyncuser"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axretaildatasyncuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["axdeployextuser"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["axdeployextuser"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["axdeployextuser"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["NT AUTHORITY\\NETWORK SERVICE"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["NT AUTHORITY\\NETWORK SERVICE"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["NT AUTHORITY\\NETWORK SERVICE"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;

-- params: ["x]; DROP TABLE USERINFO; --"]
DECLARE @sql nvarchar(max) = N''; SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); EXEC sys.sp_executesql @sql;

-- params: ["x]; DROP TABLE USERINFO; --"]
SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name;

-- params: ["x]; DROP TABLE USERINFO; --"]
IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END;
