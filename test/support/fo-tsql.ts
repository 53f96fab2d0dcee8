import Database from 'better-sqlite3';
import { introspectSqlite } from '../../engines/local/sqlite-introspect';
import type { ColumnDefinition, SchemaDefinition } from '../../engines/schema';
import { parseSqlType } from '../../engines/tsql/tsql-types';
import { FO_INDEXES, FO_TABLES, UAT_CUSTOMISATION } from '../../demo/fo-schema';

/**
 * The demo F&O schema (demo/fo-schema.ts) as SQL Server would hold it: record ids and
 * references bigint, enums int, text nvarchar, amounts numeric(32,16), files varbinary(max),
 * defaults as sys.default_constraints spells them. Built from the same DDL the demo estate
 * uses, so the T-SQL tests follow any change to the demo schema.
 */
const BIGINT = new Set([
  'RECID',
  'PARTY',
  'GENERALJOURNALENTRY',
  'BATCHJOBID',
  'BATCHJOBHISTORYID',
  'BATCHID',
  'BATCHHISTORYID',
  'DEPENDSONBATCHID',
  'PARENTID',
]);

function tsqlType(column: ColumnDefinition): string {
  const t = column.type.toUpperCase();
  if (t === 'INTEGER') return BIGINT.has(column.name) ? 'bigint' : 'int';
  if (t === 'REAL') return 'numeric(32, 16)';
  if (t === 'BLOB') return 'varbinary(max)';
  if (column.name === 'PARM') return 'nvarchar(40)';
  if (column.name.endsWith('DATETIME')) return 'datetime';
  return 'nvarchar(255)';
}

function tsqlDefault(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return /^-?\d+(\.\d+)?$/.test(value) ? `((${value}))` : `(${value})`;
}

export function foTsqlSchema(options: { customisation?: boolean } = {}): SchemaDefinition {
  const db = new Database(':memory:');
  try {
    for (const sql of Object.values(FO_TABLES)) db.exec(sql);
    for (const sql of FO_INDEXES) db.exec(sql);
    if (options.customisation) for (const sql of UAT_CUSTOMISATION) db.exec(sql);
    const schema = introspectSqlite(db);
    return {
      tables: schema.tables.map((t) => ({
        name: t.name,
        indexes: t.indexes.map(({ name, table, columns, unique }) => ({ name, table, columns, unique })),
        columns: t.columns.map((c) => ({ ...c, type: tsqlType(c), defaultValue: tsqlDefault(c.defaultValue), notNull: c.notNull || Boolean(c.primaryKey) })),
      })),
    };
  } finally {
    db.close();
  }
}

/** The rows sys.columns and sys.indexes would give for `schema` (what COLUMNS_QUERY and INDEXES_QUERY read). */
export function catalogRows(schema: SchemaDefinition) {
  const columns = schema.tables.flatMap((t) =>
    t.columns.map((c) => {
      const type = parseSqlType(c.type)!;
      const unicode = type.name === 'nvarchar' || type.name === 'nchar';
      const maxLength =
        type.length === 'max' ? -1 : type.length === undefined ? 8 : ['numeric', 'decimal'].includes(type.name) ? 17 : unicode ? type.length * 2 : type.length;
      return {
        tableName: t.name,
        columnName: c.name,
        typeName: type.name,
        maxLength,
        numericPrecision: ['numeric', 'decimal'].includes(type.name) ? type.length : 0,
        numericScale: type.scale ?? (['datetime2', 'time', 'datetimeoffset'].includes(type.name) ? type.length : 0),
        isNullable: !c.notNull,
        defaultValue: c.defaultValue ?? null,
        isPrimaryKey: c.primaryKey ? 1 : 0,
      };
    }),
  );
  const indexes = schema.tables.flatMap((t) =>
    t.indexes.flatMap((i) => i.columns.map((c) => ({ tableName: t.name, indexName: i.name, isUnique: i.unique, columnName: c }))),
  );
  return { columns, indexes };
}
