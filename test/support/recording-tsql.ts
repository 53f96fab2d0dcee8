import type { SchemaDefinition } from '../../engines/schema';
import type { ConnectionFactory, ConnectionTarget, TsqlConnection, TsqlResult } from '../../engines/tsql/tsql-connection';
import { COLUMNS_QUERY, INDEXES_QUERY, REFERENCED_QUERY, TRIGGERS_QUERY, VIEWS_QUERY } from '../../engines/tsql/tsql-introspect';
import { LAST_LOG_BACKUP_QUERY, USED_BYTES_QUERY } from '../../engines/azure-sql/azure-sql-engine';
import { catalogRows } from './fo-tsql';

/**
 * MOCK of the SQL data plane, because no SQL Server or Azure SQL database can be reached
 * here. It sits under the real TsqlSession (so the dialect, parameter binding, introspection
 * and the engine-neutral policies all run) and replaces only the wire: it records every
 * statement with its parameters and answers the reads dbmove makes from a small model of
 * each database (its SQLSYSTEMVARIABLES facts, its schema, its enabled users).
 *
 * It does not evaluate SQL: counts of rows left to scrub are always 0, and writes change
 * nothing but the facts and the schema. What the statements do to real data is for the
 * live suite (test/live/azure.live.test.ts) to prove.
 */
export interface FakeContent {
  facts: Record<string, string>;
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
    if (sql === 'SELECT [PARM] AS PARM, [VALUE] AS VALUE FROM [SQLSYSTEMVARIABLES]')
      return rows(Object.entries(content.facts).map(([PARM, VALUE]) => ({ PARM, VALUE })));
    if (sql === 'UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1') {
      if (!(String(params[1]) in content.facts)) return { rows: [], rowsAffected: 0 };
      content.facts[String(params[1])] = String(params[0]);
      return { rows: [], rowsAffected: 1 };
    }
    if (sql === 'INSERT INTO [SQLSYSTEMVARIABLES] ([PARM], [VALUE]) VALUES (@p0, @p1)') {
      content.facts[String(params[0])] = String(params[1]);
      return { rows: [], rowsAffected: 1 };
    }
    if (sql.startsWith('SELECT COUNT_BIG(*) AS n FROM ')) {
      if (!exists(tableOf(sql))) throw new Error(`Invalid object name '${tableOf(sql)}'.`);
      return rows([{ n: '0' }]);
    }
    if (sql.startsWith('SELECT [ID] AS ID FROM [UserInfo]')) return rows(content.enabledUsers.map((ID) => ({ ID })));
    if (sql === 'SELECT [GROUP_] AS g FROM [BatchGroup]') return rows(content.batchGroups.map((g) => ({ g })));
    if (sql.startsWith('SELECT [CAPTION] AS label, [STATUS] AS status FROM [BatchJob]')) return rows([]);
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
