/**
 * An engine-neutral picture of a database schema: what SYNC compares (the target
 * environment's own definition against the copied data) and what `dbmove plan` reports.
 *
 * Objects that only one SQL family can spell (an index on an expression, a view's query, a
 * trigger's body, a computed column's formula, an index filter) carry their text in the
 * dialect of the database they were read from (`SchemaDefinition.dialect`); SYNC applies such
 * text only to a database of the same family, and fails naming the object otherwise.
 */
export type SchemaDialect = 'sqlite' | 'tsql';

export interface ColumnDefinition {
  name: string;
  /** The declared type as the engine spells it (INTEGER, TEXT, nvarchar(60), ...). */
  type: string;
  notNull: boolean;
  /** The default as a SQL literal, as the engine reports it. */
  defaultValue?: string | null;
  primaryKey?: boolean;
  /** The collation the column declares (absent: the database's default, BINARY on SQLite). */
  collation?: string | null;
  /** A generated (computed) column: its expression, and whether its values are stored. */
  generated?: { expression: string; stored: boolean } | null;
}

/** One key of an index: a column, or (SQLite) an expression. */
export interface IndexKey {
  column?: string;
  expression?: string;
  descending?: boolean;
  collation?: string | null;
}

export interface IndexDefinition {
  name: string;
  table: string;
  /** The keys as people read them: column names, or an expression in parentheses. */
  columns: string[];
  unique: boolean;
  /** The keys in full (absent: `columns`, ascending). */
  keys?: IndexKey[];
  /** A partial (SQLite) or filtered (SQL Server) index: the predicate rows must meet. */
  where?: string | null;
  /** SQL Server's included (non-key) columns. */
  include?: string[];
  /** The engine's own CREATE INDEX statement, verbatim (SQLite). */
  sql?: string | null;
}

/** A UNIQUE constraint of a table (on SQLite: a UNIQUE clause of CREATE TABLE). */
export interface UniqueConstraintDefinition {
  /** The constraint's name where the engine keeps one (SQL Server). */
  name?: string | null;
  table: string;
  columns: string[];
}

export interface TableDefinition {
  name: string;
  columns: ColumnDefinition[];
  indexes: IndexDefinition[];
  uniqueConstraints?: UniqueConstraintDefinition[];
  /** The engine's own CREATE statement, when it has one (SQLite keeps it verbatim). */
  createSql?: string;
}

export interface ViewDefinition {
  name: string;
  /** The CREATE VIEW statement, verbatim. */
  sql: string;
}

export interface TriggerDefinition {
  name: string;
  table: string;
  /** The CREATE TRIGGER statement, verbatim. */
  sql: string;
  /** SQL Server: the trigger exists but does not fire. */
  disabled?: boolean;
}

export interface SchemaDefinition {
  /** The SQL family the definitions' text is written in (absent: the staging database's own). */
  dialect?: SchemaDialect;
  tables: TableDefinition[];
  /** Absent: the definition says nothing about views, and SYNC leaves them alone. */
  views?: ViewDefinition[];
  /** Absent: the definition says nothing about triggers, and SYNC leaves them alone. */
  triggers?: TriggerDefinition[];
}

export function findTable(schema: SchemaDefinition, name: string): TableDefinition | undefined {
  const lower = name.toLowerCase();
  return schema.tables.find((t) => t.name.toLowerCase() === lower);
}

export function findColumn(table: TableDefinition, name: string): ColumnDefinition | undefined {
  const lower = name.toLowerCase();
  return table.columns.find((c) => c.name.toLowerCase() === lower);
}

/** The keys of an index in full. */
export function indexKeys(index: IndexDefinition): IndexKey[] {
  return index.keys ?? index.columns.map((column) => ({ column }));
}

/** On SQLite, where a UNIQUE constraint cannot be added to an existing table, SYNC adds a unique index of this name instead. */
export const UNIQUE_INDEX_PREFIX = 'dbmove_uq_';
export function uniqueIndexName(table: string, columns: readonly string[]): string {
  return `${UNIQUE_INDEX_PREFIX}${table}_${columns.join('_')}`.slice(0, 128);
}
