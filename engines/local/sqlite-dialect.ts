import { assertName, SQL_IDENTIFIER } from '../../config/names';
import type { Dialect, RenderedStatement } from '../dialect';
import type { ColumnDefinition, IndexDefinition, TableDefinition } from '../schema';

/** SQLite's type affinity rules (https://sqlite.org/datatype3.html, section 3.1). */
export function affinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

/** Defaults come from the target's own schema; only plain literals are ever put into DDL. */
const SAFE_DEFAULT = /^(NULL|CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|-?\d+(\.\d+)?|'(?:[^']|'')*')$/i;

function defaultClause(column: ColumnDefinition): string {
  if (column.defaultValue === undefined || column.defaultValue === null) return '';
  const value = column.defaultValue.trim().replace(/^\((.*)\)$/, '$1');
  if (!SAFE_DEFAULT.test(value)) {
    throw new Error(`Column ${column.name} has a default that is not a plain literal (${value}); dbmove only copies literal defaults`);
  }
  return ` DEFAULT ${value}`;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  quote(identifier: string): string {
    return `"${assertName('identifier', identifier, SQL_IDENTIFIER)}"`;
  },
  param(): string {
    return '?';
  },
  equalsIgnoreCase(columnSql: string, paramSql: string): string {
    return `${columnSql} = ${paramSql} COLLATE NOCASE`;
  },
  clearTable(table: string): RenderedStatement[] {
    // A DELETE without WHERE uses SQLite's truncate optimisation: pages are freed, rows are not visited.
    return [{ sql: `DELETE FROM ${this.quote(table)}`, params: [] }];
  },
  deleteWhere(table: string, whereSql: string, params: unknown[]): RenderedStatement {
    return { sql: `DELETE FROM ${this.quote(table)}${whereSql ? ` WHERE ${whereSql}` : ''}`, params };
  },
  count(table: string, whereSql: string): string {
    return `SELECT COUNT(*) AS n FROM ${this.quote(table)}${whereSql ? ` WHERE ${whereSql}` : ''}`;
  },
  createTable(table: TableDefinition): string {
    if (table.createSql) return table.createSql.replace(/^CREATE TABLE\s+/i, 'CREATE TABLE IF NOT EXISTS ');
    const columns = table.columns.map(
      (c) => `${this.quote(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}${defaultClause(c)}${c.primaryKey ? ' PRIMARY KEY' : ''}`,
    );
    return `CREATE TABLE IF NOT EXISTS ${this.quote(table.name)} (${columns.join(', ')})`;
  },
  addColumn(table: string, column: ColumnDefinition): string {
    return `ALTER TABLE ${this.quote(table)} ADD COLUMN ${this.quote(column.name)} ${column.type}${column.notNull ? ' NOT NULL' : ''}${defaultClause(column)}`;
  },
  createIndex(index: IndexDefinition): string {
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${this.quote(index.name)} ON ${this.quote(index.table)} (${index.columns.map((c) => this.quote(c)).join(', ')})`;
  },
  dropIndex(index: IndexDefinition): string {
    return `DROP INDEX IF EXISTS ${this.quote(index.name)}`;
  },
  hash(expressionSql: string): string {
    // dbmove_sha256 is registered on every session the local engine opens.
    return `dbmove_sha256(${expressionSql})`;
  },
  compatibleTypes(from: string, to: string): boolean {
    const a = affinity(from);
    const b = affinity(to);
    if (a === b) return true;
    // Widening keeps every value: integers read as REAL or NUMERIC.
    return a === 'INTEGER' && (b === 'REAL' || b === 'NUMERIC');
  },
};
