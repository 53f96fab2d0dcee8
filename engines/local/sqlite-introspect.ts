import type Database from 'better-sqlite3';
import type { IndexDefinition, SchemaDefinition, TableDefinition } from '../schema';

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
