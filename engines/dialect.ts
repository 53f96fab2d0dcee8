import type { ColumnDefinition, IndexDefinition, TableDefinition, TriggerDefinition, UniqueConstraintDefinition, ViewDefinition } from './schema';

/**
 * How one SQL family spells the statements dbmove renders from its declarative policies.
 * Policies (scrub, post-configuration, verification, schema sync) are written once and
 * rendered through a dialect, so SQLite and T-SQL run the same rules.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'tsql';
  /** Validates an identifier against the strict pattern, then quotes it. */
  quote(identifier: string): string;
  /** The placeholder for the index-th bound value (0-based). */
  param(index: number): string;
  /** Case-insensitive equality on a text column. */
  equalsIgnoreCase(columnSql: string, paramSql: string): string;
  /** Statements that remove every row of a table, as fast as the platform allows. */
  clearTable(table: string, referencedByForeignKey: boolean): RenderedStatement[];
  /** A DELETE of matching rows; T-SQL deletes in batches to bound log growth. */
  deleteWhere(table: string, whereSql: string, params: unknown[]): RenderedStatement;
  /** Counts rows; `whereSql` may be empty. */
  count(table: string, whereSql: string): string;
  /**
   * Schema statements for SYNC. Each throws an Error saying why when the platform cannot hold
   * the object in that form; SYNC then fails naming it instead of running anything.
   */
  createTable(table: TableDefinition): string;
  addColumn(table: string, column: ColumnDefinition): string;
  /** Drops a (generated) column, so that SYNC can recompute it under the target's expression. */
  dropColumn(table: string, column: string): string;
  /** Changes a column's collation in place; `column` carries the copied type and nullability. */
  alterColumnCollation(table: string, column: ColumnDefinition): string;
  /** The collation of a column that declares none (SQLite: BINARY; T-SQL: the database's, unknown here). */
  readonly defaultCollation: string | null;
  createIndex(index: IndexDefinition): string;
  dropIndex(index: IndexDefinition): string;
  addUniqueConstraint(constraint: UniqueConstraintDefinition): string;
  dropUniqueConstraint(constraint: UniqueConstraintDefinition): string;
  createView(view: ViewDefinition): string;
  dropView(view: ViewDefinition): string;
  createTrigger(trigger: TriggerDefinition): string;
  dropTrigger(trigger: TriggerDefinition): string;
  /**
   * Statements that keep a table's triggers from firing while SCRUB changes it, and that put
   * them back after: a trigger that copies old values elsewhere (an audit table) would carry
   * what SCRUB removes into a table it does not scrub. SQLite drops and recreates them (inside
   * the transaction of the change, `transactional`); SQL Server disables and re-enables them,
   * as TRUNCATE TABLE already never fires them.
   */
  suspendTriggers(triggers: TriggerDefinition[]): { before: string[]; after: string[]; transactional: boolean };
  /** A deterministic lowercase hex SHA-256 of a text expression (consistent masking across tables). */
  hash(expressionSql: string): string;
  /** True when data stored under `from` reads correctly under the target's `to` type. */
  compatibleTypes(from: string, to: string): boolean;
}

export interface RenderedStatement {
  sql: string;
  params: unknown[];
  /** Run again until it changes no rows (batched deletes). */
  repeatUntilNoRows?: boolean;
}
