import type Database from 'better-sqlite3';
import type { IndexDefinition, IndexKey, SchemaDefinition, TableDefinition } from '../schema';
import { closingParen, isWord, splitTopLevel, tokenize } from '../sql-text';
import { columnClauses } from './sqlite-ddl';

/**
 * Reads a SQLite database's schema: tables, columns (generated ones included, with their
 * collation and expression from the CREATE TABLE text), indexes (expression and partial ones
 * with their verbatim CREATE INDEX), UNIQUE constraints, views and triggers.
 */
export function introspectSqlite(db: Database.Database): SchemaDefinition {
  const tables = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as {
    name: string;
    sql: string;
  }[];
  // table_xinfo, not table_info: only the former lists generated columns (hidden 2 virtual, 3 stored).
  const columnsOf = db.prepare('SELECT name, type, "notnull" AS "notNull", dflt_value AS "defaultValue", pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid');
  const indexesOf = db.prepare(`SELECT name, "unique" AS "isUnique", origin, partial FROM pragma_index_list(?) ORDER BY name`);
  // index_xinfo, not index_info: an expression key has no column name (cid -2), and the sort order and collation matter.
  const keysOf = db.prepare('SELECT cid, name, "desc" AS descending, coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno');
  const indexSql = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`);
  const objects = (type: 'view' | 'trigger') =>
    db.prepare(`SELECT name, tbl_name AS "table", sql FROM sqlite_master WHERE type = ? ORDER BY rowid`).all(type) as {
      name: string;
      table: string;
      sql: string;
    }[];
  return {
    dialect: 'sqlite',
    tables: tables.map((t): TableDefinition => {
      const clauses = columnClauses(t.sql ?? '');
      const columns = (columnsOf.all(t.name) as { name: string; type: string; notNull: number; defaultValue: string | null; pk: number; hidden: number }[])
        .filter((c) => c.hidden === 0 || c.hidden === 2 || c.hidden === 3)
        .map((c) => {
          const clause = clauses.get(c.name.toLowerCase());
          return {
            name: c.name,
            type: c.type,
            notNull: c.notNull === 1,
            defaultValue: c.defaultValue,
            primaryKey: c.pk > 0,
            ...(clause?.collation ? { collation: clause.collation } : {}),
            ...(c.hidden !== 0 && clause?.generated ? { generated: clause.generated } : {}),
          };
        });
      const lists = indexesOf.all(t.name) as { name: string; isUnique: number; origin: string; partial: number }[];
      const keys = (name: string): IndexKey[] =>
        (keysOf.all(name) as { cid: number; name: string | null; descending: number; coll: string }[]).map((k) => ({
          ...(k.cid === -2 ? {} : { column: k.name ?? 'rowid' }),
          descending: k.descending === 1,
          collation: k.coll,
        }));
      const indexes = lists
        .filter((i) => i.origin === 'c')
        .map((i): IndexDefinition => {
          const sql = (indexSql.get(i.name) as { sql: string | null } | undefined)?.sql ?? null;
          const parsed = sql ? indexParts(sql) : undefined;
          const indexKeys = keys(i.name).map((k, n) => (k.column === undefined ? { ...k, expression: parsed?.keys[n] ?? '?' } : k));
          return {
            name: i.name,
            table: t.name,
            unique: i.isUnique === 1,
            columns: indexKeys.map((k) => k.column ?? `(${k.expression})`),
            keys: indexKeys,
            where: parsed?.where ?? null,
            sql,
          };
        });
      const uniqueConstraints = lists
        .filter((i) => i.origin === 'u')
        .map((i) => ({ name: null, table: t.name, columns: keys(i.name).map((k) => k.column ?? '?') }))
        .sort((a, b) => a.columns.join(',').localeCompare(b.columns.join(',')));
      return { name: t.name, columns, indexes, uniqueConstraints, createSql: t.sql };
    }),
    views: objects('view').map((v) => ({ name: v.name, sql: v.sql })),
    triggers: objects('trigger').map((v) => ({ name: v.name, table: v.table, sql: v.sql })),
  };
}

/** The key expressions (in order, as written) and the WHERE clause of a CREATE INDEX statement. */
function indexParts(sql: string): { keys: string[]; where: string | null } {
  const tokens = tokenize(sql);
  const on = tokens.findIndex((t) => isWord(t, 'ON'));
  const open = tokens.findIndex((t, i) => i > on && t.kind === 'punct' && t.text === '(');
  const close = open < 0 ? -1 : closingParen(tokens, open);
  if (close < 0) return { keys: [], where: null };
  const keys = splitTopLevel(tokens, open + 1, close).map(([from, to]) => {
    // A key is an expression, optionally followed by COLLATE name and ASC or DESC.
    let end = to;
    if (isWord(tokens[end - 1], 'ASC') || isWord(tokens[end - 1], 'DESC')) end--;
    if (isWord(tokens[end - 2], 'COLLATE')) end -= 2;
    return sql.slice(tokens[from].start, tokens[end - 1].end).trim();
  });
  const where = tokens.findIndex((t, i) => i > close && isWord(t, 'WHERE'));
  return { keys, where: where < 0 ? null : sql.slice(tokens[where].end).trim() };
}
