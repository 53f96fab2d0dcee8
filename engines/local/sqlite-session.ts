import * as crypto from 'node:crypto';
import Database from 'better-sqlite3';
import type { DataSession } from '../port';
import type { IndexDefinition, SchemaDefinition, TableDefinition } from '../schema';
import { sqliteDialect } from './sqlite-dialect';

export type SqliteAccess = 'read-only' | 'read-write';

export function openSqlite(file: string, access: SqliteAccess): Database.Database {
  const db = new Database(file, { readonly: access === 'read-only', fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  // The masking hash: SHA-256 of the text's UTF-16LE bytes, as the T-SQL dialect computes it
  // over nvarchar, so a value masks to the same digest on every engine.
  db.function('dbmove_sha256', { deterministic: true }, (value: unknown) =>
    value === null || value === undefined ? null : crypto.createHash('sha256').update(String(value), 'utf16le').digest('hex'),
  );
  return db;
}

/** Reads a SQLite database's tables, columns and indexes through pragma table functions. */
export function introspectSqlite(db: Database.Database): SchemaDefinition {
  const tables = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as {
    name: string;
    sql: string;
  }[];
  const columnsOf = db.prepare('SELECT name, type, "notnull" AS "notNull", dflt_value AS "defaultValue", pk FROM pragma_table_info(?) ORDER BY cid');
  const indexesOf = db.prepare(`SELECT name, "unique" AS "isUnique" FROM pragma_index_list(?) WHERE origin = 'c' ORDER BY name`);
  const indexColumns = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno');
  return {
    tables: tables.map((t): TableDefinition => {
      const columns = (columnsOf.all(t.name) as { name: string; type: string; notNull: number; defaultValue: string | null; pk: number }[]).map((c) => ({
        name: c.name,
        type: c.type,
        notNull: c.notNull === 1,
        defaultValue: c.defaultValue,
        primaryKey: c.pk > 0,
      }));
      const indexes = (indexesOf.all(t.name) as { name: string; isUnique: number }[]).map((i): IndexDefinition => ({
        name: i.name,
        table: t.name,
        unique: i.isUnique === 1,
        columns: (indexColumns.all(i.name) as { name: string }[]).map((c) => c.name),
      }));
      return { name: t.name, columns, indexes, createSql: t.sql };
    }),
  };
}

export class SqliteSession implements DataSession {
  readonly dialect = sqliteDialect;

  constructor(
    private readonly db: Database.Database,
    readonly description: string,
  ) {}

  get handle(): Database.Database {
    return this.db;
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...params) as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async introspect(): Promise<SchemaDefinition> {
    return introspectSqlite(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
