import type { DatabasePrincipals, DataSession, PrincipalToCreate } from '../port';

/**
 * Database users and change tracking on SQL Server and Azure SQL Database, as Microsoft's
 * export/import procedure and the community's scripts handle them around a database move
 * (d365fo.tools internal/sql: clear-azurebacpacdatabase.sql, disable-changetracking.sql,
 * set-bacpacvaluesazure.sql, set-bacpacvaluessql.sql, enable-changetracking.sql):
 *
 * - a copy carries the source's users, and with them production's credentials: SCRUB drops
 *   every user that can connect (sys.sysusers: not a role, has database access) except dbo,
 *   after handing what it owns (schemas such as BACKUP, SHADOW and BatchScheduling; roles;
 *   full-text catalogs) to dbo and dropping the certificates tied to it (electronic-signature
 *   certificates made by "Get certificate"), without which DROP USER fails;
 * - change tracking is switched off on every table, then on the database, as before an export;
 * - POSTCONFIG creates the target's own users (contained WITH PASSWORD on Azure SQL, FROM
 *   LOGIN on SQL Server) with F&O's roles where the role exists, and turns change tracking
 *   back on for the database (6 days' retention, auto clean-up). F&O switches it on again for
 *   the tables its entities track.
 *
 * Every name read from the database or given by the catalog reaches the server as a
 * parameter and is quoted there by QUOTENAME inside sp_executesql, so a hostile name cannot
 * close a bracket; the password is a parameter too, quoted by QUOTENAME(@p, ''''), and never
 * appears in a statement dbmove sends or logs.
 */

export const COPIED_USERS_SQL = "SELECT name FROM sys.sysusers WHERE issqlrole = 0 AND isapprole = 0 AND hasdbaccess = 1 AND name <> 'dbo' ORDER BY name";

export const USERS_SQL = 'SELECT name FROM sys.sysusers WHERE issqlrole = 0 AND isapprole = 0 AND hasdbaccess = 1 ORDER BY name';

export const CHANGE_TRACKING_TABLES_SQL =
  'SELECT s.name AS schemaName, t.name AS tableName FROM sys.change_tracking_tables ct JOIN sys.tables t ON ct.object_id = t.object_id JOIN sys.schemas s ON t.schema_id = s.schema_id ORDER BY s.name, t.name';

export const DISABLE_TABLE_CHANGE_TRACKING_SQL =
  "DECLARE @sql nvarchar(max) = N'ALTER TABLE ' + QUOTENAME(@p0) + N'.' + QUOTENAME(@p1) + N' DISABLE CHANGE_TRACKING'; EXEC sys.sp_executesql @sql";

export const DISABLE_DATABASE_CHANGE_TRACKING_SQL =
  'IF EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) ALTER DATABASE CURRENT SET CHANGE_TRACKING = OFF';

export const ENABLE_DATABASE_CHANGE_TRACKING_SQL =
  'IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 6 DAYS, AUTO_CLEANUP = ON)';

export const CERTIFICATES_OF_SQL = 'SELECT name FROM sys.certificates WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0) ORDER BY name';

/** Schemas, roles and full-text catalogs the user owns go to dbo; then its certificates go; then the user. */
export const REOWN_SQL =
  "DECLARE @sql nvarchar(max) = N''; " +
  "SELECT @sql = @sql + N'ALTER AUTHORIZATION ON SCHEMA::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.schemas WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); " +
  "SELECT @sql = @sql + N'ALTER AUTHORIZATION ON ROLE::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.database_principals WHERE type = 'R' AND owning_principal_id = DATABASE_PRINCIPAL_ID(@p0); " +
  "SELECT @sql = @sql + N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::' + QUOTENAME(name) + N' TO [dbo]; ' FROM sys.fulltext_catalogs WHERE principal_id = DATABASE_PRINCIPAL_ID(@p0); " +
  'EXEC sys.sp_executesql @sql';

export const DROP_CERTIFICATE_SQL = "DECLARE @sql nvarchar(max) = N'DROP CERTIFICATE ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql";

export const DROP_USER_SQL =
  "IF DATABASE_PRINCIPAL_ID(@p0) IS NOT NULL BEGIN DECLARE @sql nvarchar(max) = N'DROP USER ' + QUOTENAME(@p0); EXEC sys.sp_executesql @sql; END";

/** Contained user: created, or its password set when an earlier attempt created it. */
export const CREATE_CONTAINED_USER_SQL =
  "DECLARE @sql nvarchar(max) = CASE WHEN DATABASE_PRINCIPAL_ID(@p0) IS NULL THEN N'CREATE USER ' ELSE N'ALTER USER ' END + QUOTENAME(@p0) + N' WITH PASSWORD = ' + QUOTENAME(@p1, N''''); EXEC sys.sp_executesql @sql";

export const CREATE_LOGIN_USER_SQL =
  "IF DATABASE_PRINCIPAL_ID(@p0) IS NULL BEGIN DECLARE @sql nvarchar(max) = N'CREATE USER ' + QUOTENAME(@p0) + N' FROM LOGIN ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END";

/** 1 when the role exists in this database (F&O's own roles exist only where its deployment made them). */
export const ROLE_EXISTS_SQL = "SELECT COUNT_BIG(*) AS n FROM sys.database_principals WHERE type = 'R' AND name = @p0";

export const ADD_ROLE_MEMBER_SQL =
  "IF IS_ROLEMEMBER(@p0, @p1) = 0 BEGIN DECLARE @sql nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@p0) + N' ADD MEMBER ' + QUOTENAME(@p1); EXEC sys.sp_executesql @sql; END";

/** QUOTENAME returns NULL beyond 128 characters, which would turn CREATE USER into nothing at all. */
const MAX_PASSWORD = 128;

export const tsqlPrincipals: DatabasePrincipals = {
  async clearCopied(session: DataSession) {
    const tables = await session.query<{ schemaName: string; tableName: string }>(CHANGE_TRACKING_TABLES_SQL);
    for (const t of tables) await session.execute(DISABLE_TABLE_CHANGE_TRACKING_SQL, [t.schemaName, t.tableName]);
    await session.execute(DISABLE_DATABASE_CHANGE_TRACKING_SQL);
    const users = (await session.query<{ name: string }>(COPIED_USERS_SQL)).map((r) => r.name);
    const certificates: string[] = [];
    for (const user of users) {
      await session.execute(REOWN_SQL, [user]);
      for (const { name } of await session.query<{ name: string }>(CERTIFICATES_OF_SQL, [user])) {
        await session.execute(DROP_CERTIFICATE_SQL, [name]);
        certificates.push(name);
      }
      await session.execute(DROP_USER_SQL, [user]);
    }
    return { users, certificates, changeTrackingTables: tables.length };
  },

  async createOwn(session: DataSession, users: PrincipalToCreate[]) {
    const created: string[] = [];
    const roles: string[] = [];
    const missingRoles: string[] = [];
    for (const user of users) {
      if (user.login) {
        await session.execute(CREATE_LOGIN_USER_SQL, [user.name, user.login]);
      } else {
        if (!user.password) throw new Error(`The database user ${user.name} needs a password (passwordEnv) or a server login (login)`);
        if (user.password.length > MAX_PASSWORD) throw new Error(`The password of the database user ${user.name} is longer than ${MAX_PASSWORD} characters`);
        await session.execute(CREATE_CONTAINED_USER_SQL, [user.name, user.password]);
      }
      created.push(user.name);
      for (const role of user.roles) {
        const [row] = await session.query<{ n: number | string }>(ROLE_EXISTS_SQL, [role]);
        if (Number(row?.n ?? 0) === 0) {
          missingRoles.push(`${user.name}: ${role}`);
          continue;
        }
        await session.execute(ADD_ROLE_MEMBER_SQL, [role, user.name]);
        roles.push(`${user.name}: ${role}`);
      }
    }
    await session.execute(ENABLE_DATABASE_CHANGE_TRACKING_SQL);
    return { created, roles, missingRoles };
  },

  async listUsers(session: DataSession) {
    return (await session.query<{ name: string }>(USERS_SQL)).map((r) => r.name);
  },
};
