/**
 * An engine-neutral picture of a database schema: what SYNC compares (the target
 * environment's own definition against the copied data) and what `dbmove plan` reports.
 */
export interface ColumnDefinition {
  name: string;
  /** The declared type as the engine spells it (INTEGER, TEXT, nvarchar(60), ...). */
  type: string;
  notNull: boolean;
  /** The default as a SQL literal, as the engine reports it. */
  defaultValue?: string | null;
  primaryKey?: boolean;
}

export interface IndexDefinition {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
}

export interface TableDefinition {
  name: string;
  columns: ColumnDefinition[];
  indexes: IndexDefinition[];
  /** The engine's own CREATE statement, when it has one (SQLite keeps it verbatim). */
  createSql?: string;
}

export interface SchemaDefinition {
  tables: TableDefinition[];
}

export function findTable(schema: SchemaDefinition, name: string): TableDefinition | undefined {
  const lower = name.toLowerCase();
  return schema.tables.find((t) => t.name.toLowerCase() === lower);
}

export function findColumn(table: TableDefinition, name: string): ColumnDefinition | undefined {
  const lower = name.toLowerCase();
  return table.columns.find((c) => c.name.toLowerCase() === lower);
}
