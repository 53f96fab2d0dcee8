import { assertName, SQL_IDENTIFIER } from '../../config/names';
import type { Dialect, RenderedStatement } from '../dialect';
import {
  indexKeys,
  uniqueIndexName,
  type ColumnDefinition,
  type IndexDefinition,
  type TableDefinition,
  type TriggerDefinition,
  type UniqueConstraintDefinition,
  type ViewDefinition,
} from '../schema';
import { assertCreateStatement } from '../sql-text';

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

function collate(collation: string | null | undefined): string {
  return collation && collation.toUpperCase() !== 'BINARY' ? ` COLLATE ${assertName('collation', collation, SQL_IDENTIFIER)}` : '';
}

/** A column clause: type, constraints, collation; a generated column its expression instead of a default. */
function columnClause(dialect: Dialect, c: ColumnDefinition): string {
  const head = `${dialect.quote(c.name)} ${c.type}`;
  if (c.generated) return `${head}${c.notNull ? ' NOT NULL' : ''} GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`;
  return `${head}${c.notNull ? ' NOT NULL' : ''}${defaultClause(c)}${collate(c.collation)}`;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  defaultCollation: 'BINARY',
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
    if (table.createSql) return table.createSql.replace(/^CREATE TABLE\s+(?!IF\s+NOT\s+EXISTS)/i, 'CREATE TABLE IF NOT EXISTS ');
    const columns = table.columns.map((c) => `${columnClause(this, c)}${c.primaryKey ? ' PRIMARY KEY' : ''}`);
    return `CREATE TABLE IF NOT EXISTS ${this.quote(table.name)} (${columns.join(', ')})`;
  },
  addColumn(table: string, column: ColumnDefinition): string {
    // SQLite adds a VIRTUAL generated column to a table with rows, and a STORED one only to an empty table.
    return `ALTER TABLE ${this.quote(table)} ADD COLUMN ${columnClause(this, column)}`;
  },
  dropColumn(table: string, column: string): string {
    return `ALTER TABLE ${this.quote(table)} DROP COLUMN ${this.quote(column)}`;
  },
  alterColumnCollation(): string {
    throw new Error(
      "SQLite cannot change the collation of a column that holds data (only rebuilding the table can), and the copied data's differs from the target's",
    );
  },
  createIndex(index: IndexDefinition): string {
    // The target's own statement when SQLite gave one: it says expressions, collations, order and predicate exactly.
    if (index.sql)
      return assertCreateStatement(index.sql, 'INDEX', index.name).replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(?!IF\s+NOT\s+EXISTS)/i, '$1IF NOT EXISTS ');
    if (index.include?.length) throw new Error(`SQLite indexes have no included columns (${index.include.join(', ')})`);
    const keys = indexKeys(index).map(
      (k) => `${k.column !== undefined ? this.quote(k.column) : `(${k.expression})`}${collate(k.collation)}${k.descending ? ' DESC' : ''}`,
    );
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${this.quote(index.name)} ON ${this.quote(index.table)} (${keys.join(', ')})${index.where ? ` WHERE ${index.where}` : ''}`;
  },
  dropIndex(index: IndexDefinition): string {
    return `DROP INDEX IF EXISTS ${this.quote(index.name)}`;
  },
  addUniqueConstraint(constraint: UniqueConstraintDefinition): string {
    // ALTER TABLE cannot add a constraint in SQLite; a unique index enforces exactly the same rule.
    return `CREATE UNIQUE INDEX IF NOT EXISTS ${this.quote(uniqueIndexName(constraint.table, constraint.columns))} ON ${this.quote(constraint.table)} (${constraint.columns.map((c) => this.quote(c)).join(', ')})`;
  },
  dropUniqueConstraint(constraint: UniqueConstraintDefinition): string {
    throw new Error(
      `SQLite cannot drop the UNIQUE (${constraint.columns.join(', ')}) clause of ${constraint.table} without rebuilding the table, and the target does not define it`,
    );
  },
  createView(view: ViewDefinition): string {
    return assertCreateStatement(view.sql, 'VIEW', view.name);
  },
  dropView(view: ViewDefinition): string {
    return `DROP VIEW IF EXISTS ${this.quote(view.name)}`;
  },
  createTrigger(trigger: TriggerDefinition): string {
    return assertCreateStatement(trigger.sql, 'TRIGGER', trigger.name);
  },
  dropTrigger(trigger: TriggerDefinition): string {
    return `DROP TRIGGER IF EXISTS ${this.quote(trigger.name)}`;
  },
  suspendTriggers(triggers: TriggerDefinition[]) {
    // SQLite cannot disable a trigger: it is dropped and created again from its own statement, in one transaction.
    return {
      before: triggers.map((t) => this.dropTrigger(t)),
      after: triggers.map((t) => this.createTrigger(t)),
      transactional: true,
    };
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
