import { assertName, SQL_IDENTIFIER } from '../../config/names';
import type { Dialect, RenderedStatement } from '../dialect';
import {
  indexKeys,
  type ColumnDefinition,
  type IndexDefinition,
  type TableDefinition,
  type TriggerDefinition,
  type UniqueConstraintDefinition,
  type ViewDefinition,
} from '../schema';
import { assertCreateStatement } from '../sql-text';
import { compatibleSqlTypes, ddlType, defaultLiteral } from './tsql-types';

/**
 * Rows per batched DELETE. SQL Server escalates row locks to a table lock at about 5,000
 * locks on one object; staying under that keeps each batch a short transaction, and running
 * batches until none is left bounds the log to one batch's worth instead of the whole table.
 */
export const DELETE_BATCH_ROWS = 4000;

function collate(collation: string | null | undefined): string {
  return collation ? ` COLLATE ${assertName('collation', collation, SQL_IDENTIFIER)}` : '';
}

function column(c: ColumnDefinition, dialect: Dialect): string {
  // A computed column: its formula (the target's own text, from sys.computed_columns), stored when PERSISTED.
  if (c.generated) return `${dialect.quote(c.name)} AS (${c.generated.expression})${c.generated.stored ? ' PERSISTED' : ''}`;
  const type = ddlType(c.type, c.name);
  const nullability = c.notNull ? ' NOT NULL' : ' NULL';
  const def = c.defaultValue === undefined || c.defaultValue === null ? '' : ` DEFAULT ${defaultLiteral(c.defaultValue, c.name)}`;
  return `${dialect.quote(c.name)} ${type}${collate(c.collation)}${nullability}${def}`;
}

/**
 * Statements for SQL Server and Azure SQL Database. Identifiers pass the strict pattern
 * (letters, digits, underscore) before they are bracketed, so no name can close the bracket;
 * every value is a named parameter (@p0, @p1, ...) that mssql binds.
 */
export const tsqlDialect: Dialect = {
  name: 'tsql',
  defaultCollation: null,
  quote(identifier: string): string {
    return `[${assertName('identifier', identifier, SQL_IDENTIFIER)}]`;
  },
  param(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index > 2099)
      throw new Error(`Parameter index ${index} is out of range (SQL Server binds at most 2,100 parameters)`);
    return `@p${index}`;
  },
  equalsIgnoreCase(columnSql: string, paramSql: string): string {
    // UPPER on both sides instead of a COLLATE clause: correct whatever the column's collation
    // (F&O databases are case-insensitive, but a customisation may use a binary collation).
    return `UPPER(${columnSql}) = UPPER(${paramSql})`;
  },
  clearTable(table: string, referencedByForeignKey: boolean): RenderedStatement[] {
    // TRUNCATE deallocates pages with minimal logging, but SQL Server refuses it on a table a
    // foreign key references; those are emptied in batches instead.
    if (referencedByForeignKey) return [{ sql: `DELETE TOP (${DELETE_BATCH_ROWS}) FROM ${this.quote(table)}`, params: [], repeatUntilNoRows: true }];
    return [{ sql: `TRUNCATE TABLE ${this.quote(table)}`, params: [] }];
  },
  deleteWhere(table: string, whereSql: string, params: unknown[]): RenderedStatement {
    return { sql: `DELETE TOP (${DELETE_BATCH_ROWS}) FROM ${this.quote(table)}${whereSql ? ` WHERE ${whereSql}` : ''}`, params, repeatUntilNoRows: true };
  },
  count(table: string, whereSql: string): string {
    // COUNT_BIG: F&O tables pass 2^31 rows, where COUNT(*) overflows.
    return `SELECT COUNT_BIG(*) AS n FROM ${this.quote(table)}${whereSql ? ` WHERE ${whereSql}` : ''}`;
  },
  createTable(table: TableDefinition): string {
    // A SQLite definition's verbatim CREATE statement (createSql) is never reused here: the
    // table is always rendered from its columns, in T-SQL.
    const keys = table.columns.filter((c) => c.primaryKey).map((c) => this.quote(c.name));
    const parts = table.columns.map((c) => column(c, this));
    if (keys.length) parts.push(`PRIMARY KEY (${keys.join(', ')})`);
    return `CREATE TABLE ${this.quote(table.name)} (${parts.join(', ')})`;
  },
  addColumn(table: string, c: ColumnDefinition): string {
    // WITH VALUES fills existing rows with the default even when the column is nullable, as
    // SQLite's ADD COLUMN does; a NOT NULL column with a default gets it without the clause.
    const withValues = !c.notNull && c.defaultValue !== undefined && c.defaultValue !== null ? ' WITH VALUES' : '';
    return `ALTER TABLE ${this.quote(table)} ADD ${column(c, this)}${withValues}`;
  },
  dropColumn(table: string, name: string): string {
    return `ALTER TABLE ${this.quote(table)} DROP COLUMN ${this.quote(name)}`;
  },
  alterColumnCollation(table: string, c: ColumnDefinition): string {
    // ALTER COLUMN restates type and nullability; SQL Server refuses it while an index or constraint uses the column.
    return `ALTER TABLE ${this.quote(table)} ALTER COLUMN ${this.quote(c.name)} ${ddlType(c.type, c.name)}${c.collation ? collate(c.collation) : ' COLLATE DATABASE_DEFAULT'}${c.notNull ? ' NOT NULL' : ' NULL'}`;
  },
  createIndex(index: IndexDefinition): string {
    const keys = indexKeys(index).map((k) => {
      if (k.column === undefined) throw new Error(`SQL Server cannot index an expression (${k.expression}); index a computed column instead`);
      return `${this.quote(k.column)}${k.descending ? ' DESC' : ''}`;
    });
    const include = index.include?.length ? ` INCLUDE (${index.include.map((c) => this.quote(c)).join(', ')})` : '';
    // A filtered index's predicate is the target's own text (sys.indexes.filter_definition).
    const filter = index.where ? ` WHERE ${index.where}` : '';
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(index.name)} ON ${this.quote(index.table)} (${keys.join(', ')})${include}${filter}`;
  },
  dropIndex(index: IndexDefinition): string {
    return `DROP INDEX ${this.quote(index.name)} ON ${this.quote(index.table)}`;
  },
  addUniqueConstraint(constraint: UniqueConstraintDefinition): string {
    const name = constraint.name ?? `UQ_${constraint.table}_${constraint.columns.join('_')}`.slice(0, 128);
    return `ALTER TABLE ${this.quote(constraint.table)} ADD CONSTRAINT ${this.quote(name)} UNIQUE (${constraint.columns.map((c) => this.quote(c)).join(', ')})`;
  },
  dropUniqueConstraint(constraint: UniqueConstraintDefinition): string {
    if (!constraint.name) throw new Error(`the UNIQUE (${constraint.columns.join(', ')}) constraint of ${constraint.table} has no name to drop it by`);
    return `ALTER TABLE ${this.quote(constraint.table)} DROP CONSTRAINT ${this.quote(constraint.name)}`;
  },
  createView(view: ViewDefinition): string {
    // The target's own definition (sys.sql_modules): CREATE VIEW is the only statement of its batch.
    return assertCreateStatement(view.sql, 'VIEW', view.name);
  },
  dropView(view: ViewDefinition): string {
    return `DROP VIEW ${this.quote(view.name)}`;
  },
  createTrigger(trigger: TriggerDefinition): string {
    return assertCreateStatement(trigger.sql, 'TRIGGER', trigger.name);
  },
  dropTrigger(trigger: TriggerDefinition): string {
    return `DROP TRIGGER ${this.quote(trigger.name)}`;
  },
  suspendTriggers(triggers: TriggerDefinition[]) {
    // Only the enabled ones: a trigger the source had disabled stays disabled.
    const enabled = triggers.filter((t) => !t.disabled);
    return {
      before: enabled.map((t) => `DISABLE TRIGGER ${this.quote(t.name)} ON ${this.quote(t.table)}`),
      after: enabled.map((t) => `ENABLE TRIGGER ${this.quote(t.name)} ON ${this.quote(t.table)}`),
      transactional: false,
    };
  },
  hash(expressionSql: string): string {
    // SHA-256 of the value as nvarchar, that is of its UTF-16LE bytes (how SQL Server stores
    // Unicode text), as lowercase hex: the digest the local engine's dbmove_sha256 computes,
    // so a value masks identically on every engine. No UTF-8 collation (those exist only from
    // SQL Server 2019): HASHBYTES over nvarchar(max) and CONVERT style 2 work from SQL Server
    // 2016, the oldest F&O development machines run, as on Azure SQL Database.
    return `LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', CAST(${expressionSql} AS nvarchar(max))), 2))`;
  },
  compatibleTypes(from: string, to: string): boolean {
    return compatibleSqlTypes(from, to);
  },
};

/** Database names (catalog DATABASE_NAME: letters, digits, "_" and "-") bracketed for statements run in master. */
export function quoteDatabase(name: string): string {
  return `[${assertName('database name', name, /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/)}]`;
}
