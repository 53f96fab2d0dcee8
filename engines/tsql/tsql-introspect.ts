import type { IndexDefinition, SchemaDefinition, TableDefinition, UniqueConstraintDefinition } from '../schema';
import type { TsqlConnection } from './tsql-connection';
import { typeFromCatalog } from './tsql-types';

/**
 * Reads a database's user tables into the engine-neutral SchemaDefinition, from the catalog
 * views (four queries, however many tables: an F&O database has thousands). Only the dbo
 * schema is read, where F&O keeps its tables. Columns carry their collation and, computed ones,
 * their formula (sys.computed_columns); indexes are those created with CREATE INDEX, with
 * their sort order, included columns and filter; UNIQUE constraints are read apart from them;
 * primary keys belong to the table and travel with it, as on SQLite. Views and DML triggers
 * come with their definitions (sys.sql_modules).
 */
export const COLUMNS_QUERY = [
  'SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength,',
  'c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue,',
  'CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation,',
  'cc.definition AS computedDefinition, cc.is_persisted AS isPersisted',
  'FROM sys.tables AS t',
  'JOIN sys.columns AS c ON c.object_id = t.object_id',
  'JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id',
  'LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id',
  'LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id',
  'LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk',
  'ON pk.object_id = c.object_id AND pk.column_id = c.column_id',
  "WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo')",
  'ORDER BY t.name, c.column_id',
].join(' ');

export const INDEXES_QUERY = [
  'SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName,',
  'i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded,',
  'i.filter_definition AS filterDefinition',
  'FROM sys.indexes AS i',
  'JOIN sys.tables AS t ON t.object_id = i.object_id',
  'JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id',
  'JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id',
  "WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0",
  'AND i.name IS NOT NULL',
  'ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id',
].join(' ');

export const VIEWS_QUERY = [
  'SELECT v.name AS name, m.definition AS definition',
  'FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id',
  "WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo')",
  'ORDER BY v.object_id',
].join(' ');

export const TRIGGERS_QUERY = [
  'SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled',
  'FROM sys.triggers AS tr',
  'JOIN sys.tables AS t ON t.object_id = tr.parent_id',
  'JOIN sys.sql_modules AS m ON m.object_id = tr.object_id',
  "WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo')",
  'ORDER BY tr.object_id',
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
  collation?: string | null;
  computedDefinition?: string | null;
  isPersisted?: boolean | number | null;
}

interface IndexRow {
  tableName: string;
  indexName: string;
  isUnique: boolean | number;
  columnName: string;
  isUniqueConstraint?: boolean | number;
  isDescending?: boolean | number;
  isIncluded?: boolean | number;
  filterDefinition?: string | null;
}

export async function introspectTsql(connection: TsqlConnection): Promise<SchemaDefinition> {
  const columns = (await connection.run(COLUMNS_QUERY, [])).rows as unknown as ColumnRow[];
  const indexRows = (await connection.run(INDEXES_QUERY, [])).rows as unknown as IndexRow[];
  const views = (await connection.run(VIEWS_QUERY, [])).rows as unknown as { name: string; definition: string }[];
  const triggers = (await connection.run(TRIGGERS_QUERY, [])).rows as unknown as {
    name: string;
    tableName: string;
    definition: string;
    isDisabled?: boolean | number;
  }[];
  const tables = new Map<string, TableDefinition>();
  for (const row of columns) {
    let table = tables.get(row.tableName);
    if (!table) tables.set(row.tableName, (table = { name: row.tableName, columns: [], indexes: [], uniqueConstraints: [] }));
    table.columns.push({
      name: row.columnName,
      type: typeFromCatalog(row.typeName, Number(row.maxLength), Number(row.numericPrecision), Number(row.numericScale)),
      notNull: !row.isNullable,
      defaultValue: row.defaultValue ?? null,
      primaryKey: Number(row.isPrimaryKey) === 1,
      ...(row.collation ? { collation: row.collation } : {}),
      ...(row.computedDefinition ? { generated: { expression: stripParens(row.computedDefinition), stored: Boolean(row.isPersisted) } } : {}),
    });
  }
  const indexes = new Map<string, IndexDefinition>();
  const uniques = new Map<string, UniqueConstraintDefinition>();
  for (const row of indexRows) {
    const key = `${row.tableName}\u0000${row.indexName}`;
    if (row.isUniqueConstraint) {
      let unique = uniques.get(key);
      if (!unique) {
        uniques.set(key, (unique = { name: row.indexName, table: row.tableName, columns: [] }));
        tables.get(row.tableName)?.uniqueConstraints?.push(unique);
      }
      unique.columns.push(row.columnName);
      continue;
    }
    let index = indexes.get(key);
    if (!index) {
      indexes.set(
        key,
        (index = { name: row.indexName, table: row.tableName, columns: [], keys: [], unique: Boolean(row.isUnique), where: row.filterDefinition ?? null }),
      );
      tables.get(row.tableName)?.indexes.push(index);
    }
    if (row.isIncluded) (index.include ??= []).push(row.columnName);
    else {
      index.columns.push(row.columnName);
      index.keys!.push({ column: row.columnName, descending: Boolean(row.isDescending) });
    }
  }
  return {
    dialect: 'tsql',
    tables: [...tables.values()],
    views: views.map((v) => ({ name: v.name, sql: v.definition })),
    triggers: triggers.map((t) => ({ name: t.name, table: t.tableName, sql: t.definition, ...(t.isDisabled ? { disabled: true } : {}) })),
  };
}

/** SQL Server reports a computed column's formula in parentheses: "([A]+[B])". */
function stripParens(definition: string): string {
  const text = definition.trim();
  return text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
}
