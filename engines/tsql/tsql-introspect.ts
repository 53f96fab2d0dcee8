import type { IndexDefinition, SchemaDefinition, TableDefinition } from '../schema';
import type { TsqlConnection } from './tsql-connection';
import { typeFromCatalog } from './tsql-types';

/**
 * Reads a database's user tables into the engine-neutral SchemaDefinition, from the catalog
 * views (two queries, however many tables: an F&O database has thousands). Only the dbo
 * schema is read, where F&O keeps its tables. Indexes are those created with CREATE INDEX:
 * primary keys and unique constraints belong to the table and travel with it, as on SQLite.
 */
export const COLUMNS_QUERY = [
  'SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength,',
  'c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue,',
  'CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey',
  'FROM sys.tables AS t',
  'JOIN sys.columns AS c ON c.object_id = t.object_id',
  'JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id',
  'LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id',
  'LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk',
  'ON pk.object_id = c.object_id AND pk.column_id = c.column_id',
  "WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo')",
  'ORDER BY t.name, c.column_id',
].join(' ');

export const INDEXES_QUERY = [
  'SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName',
  'FROM sys.indexes AS i',
  'JOIN sys.tables AS t ON t.object_id = i.object_id',
  'JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id',
  'JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id',
  "WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.is_unique_constraint = 0",
  'AND i.name IS NOT NULL AND ic.is_included_column = 0',
  'ORDER BY t.name, i.name, ic.key_ordinal',
].join(' ');

/** Whether any foreign key references the table (then TRUNCATE TABLE is refused). */
export const REFERENCED_QUERY = "SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U')";

interface ColumnRow {
  tableName: string;
  columnName: string;
  typeName: string;
  maxLength: number;
  numericPrecision: number;
  numericScale: number;
  isNullable: boolean | number;
  defaultValue: string | null;
  isPrimaryKey: number;
}

interface IndexRow {
  tableName: string;
  indexName: string;
  isUnique: boolean | number;
  columnName: string;
}

export async function introspectTsql(connection: TsqlConnection): Promise<SchemaDefinition> {
  const columns = (await connection.run(COLUMNS_QUERY, [])).rows as unknown as ColumnRow[];
  const indexRows = (await connection.run(INDEXES_QUERY, [])).rows as unknown as IndexRow[];
  const tables = new Map<string, TableDefinition>();
  for (const row of columns) {
    let table = tables.get(row.tableName);
    if (!table) tables.set(row.tableName, (table = { name: row.tableName, columns: [], indexes: [] }));
    table.columns.push({
      name: row.columnName,
      type: typeFromCatalog(row.typeName, Number(row.maxLength), Number(row.numericPrecision), Number(row.numericScale)),
      notNull: !row.isNullable,
      defaultValue: row.defaultValue ?? null,
      primaryKey: Number(row.isPrimaryKey) === 1,
    });
  }
  const indexes = new Map<string, IndexDefinition>();
  for (const row of indexRows) {
    const key = `${row.tableName}\u0000${row.indexName}`;
    let index = indexes.get(key);
    if (!index) {
      indexes.set(key, (index = { name: row.indexName, table: row.tableName, columns: [], unique: Boolean(row.isUnique) }));
      tables.get(row.tableName)?.indexes.push(index);
    }
    index.columns.push(row.columnName);
  }
  return { tables: [...tables.values()] };
}
