import type { SchemaDefinition } from '../../engines/schema';
import type { ConnectionFactory, ConnectionTarget, TsqlConnection, TsqlResult } from '../../engines/tsql/tsql-connection';
import { COLUMNS_QUERY, INDEXES_QUERY, REFERENCED_QUERY, TRIGGERS_QUERY, VIEWS_QUERY } from '../../engines/tsql/tsql-introspect';
import { LAST_LOG_BACKUP_QUERY, USED_BYTES_QUERY } from '../../engines/azure-sql/azure-sql-engine';
import { catalogRows } from './fo-tsql';
import * as principals from '../../engines/tsql/principals';
import { READ_IDENTITY_SQL, WRITE_PROPERTY_SQL } from '../../engines/tsql/identity-properties';

/**
 * MOCK of the SQL data plane, because no SQL Server or Azure SQL database can be reached
 * here. It sits under the real TsqlSession (so the dialect, parameter binding, introspection
 * and the engine-neutral policies all run) and replaces only the wire: it records every
 * statement with its parameters and answers the reads dbmove makes from a small model of
 * each database (its kernel settings, Admin, tenant, database users and extended properties,
 * its schema, its enabled users).
 *
 * It does not evaluate SQL: counts of rows left to scrub are always 0, and writes change
 * nothing but the facts and the schema. What the statements do to real data is for the
 * live suite (test/live/azure.live.test.ts) to prove.
 */
export interface FakeContent {
  /** SQLSYSTEMVARIABLES PARM → VALUE. */
  kernel: Record<string, number>;
  admin: { networkAlias: string; name: string; networkDomain: string; identityProvider: string; sid: string; objectId: string; enable: number };
  tenantId: string;
  /** Database users that can connect (sys.sysusers), dbo included. */
  databaseUsers: string[];
  /** Database roles (sys.database_principals type R) and their members. */
  roles: Record<string, string[]>;
  /** Tables with change tracking on. */
  changeTracked: string[];
  changeTrackingOn: boolean;
  /** Database-level extended properties. */
  properties: Record<string, string>;
  schema: SchemaDefinition;
  /** Tables some foreign key references (TRUNCATE TABLE is refused on them). */
  referenced: string[];
  enabledUsers: string[];
  batchGroups: string[];
  /** Bytes the data files use (FILEPROPERTY SpaceUsed); 100 MiB when not given. */
  usedBytes?: number;
  /** End of the last log backup (sys.dm_database_backups, Azure SQL Database), ISO. */
  lastLogBackup?: string;
}

export interface RecordedStatement {
  environment: string;
  host: string;
  database: string;
  sql: string;
  params: unknown[];
}

export class NoAnswer extends Error {}

export class RecordingDataPlane {
  readonly statements: RecordedStatement[] = [];
  /** Statements the model answered by default (writes it does not model). */
  readonly connections: ConnectionFactory;

  constructor(
    /** The database a connection reaches, or undefined when it does not exist. */
    private readonly lookup: (target: ConnectionTarget) => FakeContent | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.connections = (target) => new RecordingConnection(this, target);
  }

  on(database: string): RecordedStatement[] {
    return this.statements.filter((s) => s.database === database);
  }

  answer(target: ConnectionTarget, sql: string, params: readonly unknown[]): TsqlResult {
    this.statements.push({ environment: target.environment, host: target.host, database: target.database, sql, params: [...params] });
    const content = this.lookup(target);
    if (!content) throw new Error(`Cannot open database "${target.database}" requested by the login. The login failed.`);
    const rows = (r: Record<string, unknown>[]) => ({ rows: r, rowsAffected: 0 });
    const tableOf = (text: string) => /FROM \[(\w+)\]/.exec(text)?.[1];
    const exists = (table: string | undefined) => !table || content.schema.tables.some((t) => t.name.toLowerCase() === table.toLowerCase());

    if (sql === 'SELECT SYSUTCDATETIME() AS utc') return rows([{ utc: this.now() }]);
    if (sql === USED_BYTES_QUERY) return rows([{ bytes: String(content.usedBytes ?? 104857600) }]);
    if (sql === LAST_LOG_BACKUP_QUERY) return rows([{ latest: content.lastLogBackup ? new Date(content.lastLogBackup) : null }]);
    if (sql === COLUMNS_QUERY) return rows(catalogRows(content.schema).columns);
    if (sql === INDEXES_QUERY) return rows(catalogRows(content.schema).indexes);
    if (sql === VIEWS_QUERY) return rows((content.schema.views ?? []).map((v) => ({ name: v.name, definition: v.sql })));
    if (sql === TRIGGERS_QUERY) return rows((content.schema.triggers ?? []).map((t) => ({ name: t.name, tableName: t.table, definition: t.sql })));
    if (sql === REFERENCED_QUERY) return rows([{ n: content.referenced.includes(String(params[0])) ? 1 : 0 }]);
    const done = (n = 1) => ({ rows: [], rowsAffected: n });
    // Kernel settings, Admin and tenant (POSTCONFIG and VERIFY).
    if (sql === 'SELECT [VALUE] AS value FROM [SQLSYSTEMVARIABLES] WHERE [PARM] = @p0')
      return rows(String(params[0]) in content.kernel ? [{ value: content.kernel[String(params[0])] }] : []);
    if (sql.startsWith('UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = 0 WHERE [PARM] = @p0')) {
      const parm = String(params[0]);
      if (!content.kernel[parm]) return done(0);
      content.kernel[parm] = 0;
      return done();
    }
    if (sql.startsWith('SELECT [NETWORKALIAS] AS networkAlias, ')) return rows([{ ...content.admin }]);
    if (sql.startsWith('UPDATE [USERINFO] SET [NETWORKALIAS] = @p0')) {
      const [networkAlias, name, networkDomain, identityProvider, sid, objectId] = params.map(String);
      Object.assign(content.admin, { networkAlias, name, networkDomain, identityProvider, sid, objectId, enable: 1 });
      return done();
    }
    if (sql === 'SELECT [VALUE] AS value FROM [SYSSERVICECONFIGURATIONSETTING] WHERE [NAME] = @p0') return rows([{ value: content.tenantId }]);
    if (sql.startsWith('UPDATE [SYSSERVICECONFIGURATIONSETTING] SET [VALUE] = @p0')) {
      content.tenantId = String(params[0]);
      return done();
    }
    if (sql.startsWith('SELECT [PLANID] AS planId')) return rows([{ planId: 'plan', planCapability: 'FinanceAndOperations' }]);
    if (sql.startsWith('SELECT j.[CAPTION] AS label')) return rows([]);
    // Database users and change tracking (engines/tsql/principals.ts).
    if (sql === principals.CHANGE_TRACKING_TABLES_SQL) return rows(content.changeTracked.map((tableName) => ({ schemaName: 'dbo', tableName })));
    if (sql === principals.DISABLE_TABLE_CHANGE_TRACKING_SQL) {
      content.changeTracked = content.changeTracked.filter((t) => t !== params[1]);
      return done();
    }
    if (sql === principals.DISABLE_DATABASE_CHANGE_TRACKING_SQL) {
      content.changeTrackingOn = false;
      return done();
    }
    if (sql === principals.ENABLE_DATABASE_CHANGE_TRACKING_SQL) {
      content.changeTrackingOn = true;
      return done();
    }
    if (sql === principals.COPIED_USERS_SQL) return rows(content.databaseUsers.filter((u) => u !== 'dbo').map((name) => ({ name })));
    if (sql === principals.USERS_SQL) return rows(content.databaseUsers.map((name) => ({ name })));
    if (sql === principals.CERTIFICATES_OF_SQL) return rows([]);
    if (sql === principals.REOWN_SQL || sql === principals.DROP_CERTIFICATE_SQL) return done(0);
    if (sql === principals.DROP_USER_SQL) {
      content.databaseUsers = content.databaseUsers.filter((u) => u !== params[0]);
      return done(0);
    }
    if (sql === principals.CREATE_CONTAINED_USER_SQL || sql === principals.CREATE_LOGIN_USER_SQL) {
      if (!content.databaseUsers.includes(String(params[0]))) content.databaseUsers.push(String(params[0]));
      return done(0);
    }
    if (sql === principals.ROLE_EXISTS_SQL) return rows([{ n: String(params[0]) in content.roles ? 1 : 0 }]);
    if (sql === principals.ADD_ROLE_MEMBER_SQL) {
      content.roles[String(params[0])].push(String(params[1]));
      return done(0);
    }
    // Identity as SQL Server keeps it (engines/tsql/identity-properties.ts).
    if (sql === READ_IDENTITY_SQL)
      return rows(
        Object.entries(content.properties)
          .filter(([name]) => params.includes(name))
          .map(([name, value]) => ({ name, value })),
      );
    if (sql === WRITE_PROPERTY_SQL) {
      content.properties[String(params[0])] = String(params[1]);
      return done(0);
    }
    if (sql.startsWith('SELECT COUNT_BIG(*) AS n FROM ')) {
      if (!exists(tableOf(sql))) throw new Error(`Invalid object name '${tableOf(sql)}'.`);
      return rows([{ n: '0' }]);
    }
    if (sql.startsWith('SELECT [ID] AS ID FROM [USERINFO]')) return rows(content.enabledUsers.map((ID) => ({ ID })));
    if (sql === 'SELECT [GROUP_] AS g FROM [BATCHGROUP]') return rows(content.batchGroups.map((g) => ({ g })));
    let m = /^ALTER TABLE \[(\w+)\] ADD \[(\w+)\] (\w+(?:\([^)]*\))?)( NOT NULL| NULL)/.exec(sql);
    if (m) {
      content.schema.tables.find((t) => t.name === m![1])?.columns.push({ name: m[2], type: m[3], notNull: m[4] === ' NOT NULL' });
      return { rows: [], rowsAffected: 0 };
    }
    m = /^CREATE TABLE \[(\w+)\]/.exec(sql);
    if (m) {
      content.schema.tables.push({ name: m[1], columns: [], indexes: [] });
      return { rows: [], rowsAffected: 0 };
    }
    m = /^CREATE (UNIQUE )?INDEX \[(\w+)\] ON \[(\w+)\] \((.*)\)$/.exec(sql);
    if (m) {
      content.schema.tables
        .find((t) => t.name === m![3])
        ?.indexes.push({ name: m[2], table: m[3], unique: Boolean(m[1]), columns: m[4].split(', ').map((c) => c.slice(1, -1)) });
      return { rows: [], rowsAffected: 0 };
    }
    if (/^(UPDATE|DELETE|INSERT|TRUNCATE|DROP INDEX) /.test(sql)) {
      const table = /^(?:UPDATE|DELETE(?: TOP \(\d+\))? FROM|INSERT INTO|TRUNCATE TABLE) \[(\w+)\]/.exec(sql)?.[1];
      if (!exists(table)) throw new Error(`Invalid object name '${table}'.`);
      // A batched DELETE TOP reports no rows left, so repeat-until-no-rows loops end.
      return { rows: [], rowsAffected: sql.startsWith('DELETE TOP') || sql.startsWith('TRUNCATE') ? 0 : 1 };
    }
    throw new NoAnswer(`The recording data plane has no answer for: ${sql}`);
  }
}

class RecordingConnection implements TsqlConnection {
  private open = true;

  constructor(
    private readonly plane: RecordingDataPlane,
    private readonly target: ConnectionTarget,
  ) {}

  async run(sql: string, params: readonly unknown[]): Promise<TsqlResult> {
    if (!this.open) throw new Error('The connection is closed');
    return this.plane.answer(this.target, sql, params);
  }

  async begin(): Promise<void> {}
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}
  async close(): Promise<void> {
    this.open = false;
  }
}
