import { expect } from 'chai';
import { Parser } from 'node-sql-parser';
import { applySchemaSync, planSchemaSync, SchemaIncompatibleError, type SyncPlan } from '../activities/sync/schema-sync';
import type { ColumnDefinition, SchemaDefinition, TableDefinition } from '../engines/schema';
import type { TsqlConnection, TsqlResult } from '../engines/tsql/tsql-connection';
import { tsqlDialect } from '../engines/tsql/tsql-dialect';
import { COLUMNS_QUERY, INDEXES_QUERY, introspectTsql, TRIGGERS_QUERY, VIEWS_QUERY } from '../engines/tsql/tsql-introspect';
import { TsqlSession } from '../engines/tsql/tsql-session';

/**
 * SYNC on SQL Server and Azure SQL Database, for every schema object T-SQL can hold, in each
 * direction. No SQL Server can be reached here, so this is a MOCK at the wire: a connection
 * that answers the catalog queries with the rows sys.columns, sys.indexes, sys.views and
 * sys.triggers would return, and records every statement SYNC sends. What is proved: the
 * catalog is read into the right schema, and the right T-SQL is rendered in the right order
 * (parsed by node-sql-parser where its grammar reaches). Whether SQL Server accepts it on real
 * data is for the live suite.
 */

class RecordingConnection implements TsqlConnection {
  readonly statements: string[] = [];
  constructor(private readonly answers: Record<string, Record<string, unknown>[]> = {}) {}
  async run(sql: string): Promise<TsqlResult> {
    this.statements.push(sql);
    return { rows: this.answers[sql] ?? [], rowsAffected: 0 };
  }
  async begin(): Promise<void> {}
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}
  async close(): Promise<void> {}
}

const parser = new Parser();

const col = (name: string, type: string, extra: Partial<ColumnDefinition> = {}): ColumnDefinition => ({ name, type, notNull: false, ...extra });
const BASE_COLUMNS = [
  col('RECID', 'bigint', { notNull: true, primaryKey: true }),
  col('NAME', 'nvarchar(60)', { notNull: true }),
  col('A', 'int'),
  col('B', 'int'),
];

function schema(table: Partial<TableDefinition> = {}, extra: Partial<SchemaDefinition> = {}): SchemaDefinition {
  return { dialect: 'tsql', tables: [{ name: 'T', columns: BASE_COLUMNS, indexes: [], uniqueConstraints: [], ...table }], views: [], triggers: [], ...extra };
}

async function sync(target: SchemaDefinition, copied: SchemaDefinition): Promise<{ plan: SyncPlan; statements: string[] }> {
  const connection = new RecordingConnection();
  const plan = planSchemaSync(target, copied, tsqlDialect);
  await applySchemaSync(new TsqlSession(connection, 'staging (recorded)', false), plan, 'azuat');
  return { plan, statements: connection.statements.filter((s) => !s.startsWith('SELECT * FROM') && !s.startsWith('SELECT COUNT_BIG')) };
}

async function refused(target: SchemaDefinition, copied: SchemaDefinition): Promise<string> {
  const connection = new RecordingConnection();
  const plan = planSchemaSync(target, copied, tsqlDialect);
  const err = await applySchemaSync(new TsqlSession(connection, 'staging (recorded)', false), plan, 'azuat').catch((e: unknown) => e);
  expect(err).to.be.instanceOf(SchemaIncompatibleError);
  expect(connection.statements, 'nothing was sent').to.deep.equal([]);
  return (err as Error).message;
}

function parses(sql: string): void {
  parser.astify(sql, { database: 'transactsql' });
}

describe('SYNC takes any schema object both dialects can hold (T-SQL, recorded)', () => {
  it('reads collations, computed columns, filtered and descending indexes with included columns, UNIQUE constraints, views and triggers from the catalog', async () => {
    const connection = new RecordingConnection({
      [COLUMNS_QUERY]: [
        {
          tableName: 'T',
          columnName: 'RECID',
          typeName: 'bigint',
          maxLength: 8,
          numericPrecision: 19,
          numericScale: 0,
          isNullable: false,
          defaultValue: null,
          isPrimaryKey: 1,
        },
        {
          tableName: 'T',
          columnName: 'NAME',
          typeName: 'nvarchar',
          maxLength: 120,
          numericPrecision: 0,
          numericScale: 0,
          isNullable: false,
          defaultValue: null,
          isPrimaryKey: 0,
          collation: 'Latin1_General_BIN2',
        },
        {
          tableName: 'T',
          columnName: 'A',
          typeName: 'int',
          maxLength: 4,
          numericPrecision: 10,
          numericScale: 0,
          isNullable: true,
          defaultValue: null,
          isPrimaryKey: 0,
        },
        {
          tableName: 'T',
          columnName: 'LABEL',
          typeName: 'nvarchar',
          maxLength: 142,
          numericPrecision: 0,
          numericScale: 0,
          isNullable: true,
          defaultValue: null,
          isPrimaryKey: 0,
          collation: 'SQL_Latin1_General_CP1_CI_AS',
          computedDefinition: "([NAME]+N'-')",
          isPersisted: true,
        },
      ],
      [INDEXES_QUERY]: [
        {
          tableName: 'T',
          indexName: 'IX_OPEN',
          isUnique: false,
          columnName: 'A',
          isUniqueConstraint: false,
          isDescending: true,
          isIncluded: false,
          filterDefinition: '([A]>(0))',
        },
        {
          tableName: 'T',
          indexName: 'IX_OPEN',
          isUnique: false,
          columnName: 'NAME',
          isUniqueConstraint: false,
          isDescending: false,
          isIncluded: true,
          filterDefinition: '([A]>(0))',
        },
        {
          tableName: 'T',
          indexName: 'UQ_T_NAME_A',
          isUnique: true,
          columnName: 'NAME',
          isUniqueConstraint: true,
          isDescending: false,
          isIncluded: false,
          filterDefinition: null,
        },
        {
          tableName: 'T',
          indexName: 'UQ_T_NAME_A',
          isUnique: true,
          columnName: 'A',
          isUniqueConstraint: true,
          isDescending: false,
          isIncluded: false,
          filterDefinition: null,
        },
      ],
      [VIEWS_QUERY]: [{ name: 'V_T', definition: 'CREATE VIEW [dbo].[V_T] AS SELECT [NAME] FROM [dbo].[T]' }],
      [TRIGGERS_QUERY]: [{ name: 'TR_T', tableName: 'T', definition: 'CREATE TRIGGER [dbo].[TR_T] ON [dbo].[T] AFTER INSERT AS SET NOCOUNT ON;' }],
    });
    const read = await introspectTsql(connection);
    expect(read.dialect).to.equal('tsql');
    const [t] = read.tables;
    expect(t.columns.find((c) => c.name === 'NAME')?.collation).to.equal('Latin1_General_BIN2');
    expect(t.columns.find((c) => c.name === 'LABEL')?.generated).to.deep.equal({ expression: "[NAME]+N'-'", stored: true });
    expect(t.indexes).to.deep.equal([
      { name: 'IX_OPEN', table: 'T', columns: ['A'], keys: [{ column: 'A', descending: true }], unique: false, where: '([A]>(0))', include: ['NAME'] },
    ]);
    expect(t.uniqueConstraints).to.deep.equal([{ name: 'UQ_T_NAME_A', table: 'T', columns: ['NAME', 'A'] }]);
    expect(read.views).to.deep.equal([{ name: 'V_T', sql: 'CREATE VIEW [dbo].[V_T] AS SELECT [NAME] FROM [dbo].[T]' }]);
    expect(read.triggers).to.deep.equal([{ name: 'TR_T', table: 'T', sql: 'CREATE TRIGGER [dbo].[TR_T] ON [dbo].[T] AFTER INSERT AS SET NOCOUNT ON;' }]);
  });

  describe('a filtered index with descending keys and included columns', () => {
    const IX = { name: 'IX_OPEN', table: 'T', columns: ['A'], keys: [{ column: 'A', descending: true }], unique: false, where: '([A]>(0))', include: ['NAME'] };
    it('target only: created with all of it', async () => {
      const { statements } = await sync(schema({ indexes: [IX] }), schema());
      expect(statements).to.deep.equal(['CREATE INDEX [IX_OPEN] ON [T] ([A] DESC) INCLUDE ([NAME]) WHERE ([A]>(0))']);
    });
    it('source only: dropped', async () => expect((await sync(schema(), schema({ indexes: [IX] }))).statements).to.deep.equal(['DROP INDEX [IX_OPEN] ON [T]']));
    it('in both: nothing; with another filter: rebuilt', async () => {
      expect((await sync(schema({ indexes: [IX] }), schema({ indexes: [IX] }))).statements).to.deep.equal([]);
      const { statements } = await sync(schema({ indexes: [IX] }), schema({ indexes: [{ ...IX, where: '([A]>=(0))' }] }));
      expect(statements).to.deep.equal(['DROP INDEX [IX_OPEN] ON [T]', 'CREATE INDEX [IX_OPEN] ON [T] ([A] DESC) INCLUDE ([NAME]) WHERE ([A]>(0))']);
    });
  });

  it('an index on an expression (a SQLite definition): refused naming it; SQL Server indexes a computed column instead', async () => {
    const message = await refused(
      {
        ...schema({ indexes: [{ name: 'IX_LOWER', table: 'T', columns: ['(lower(NAME))'], keys: [{ expression: 'lower(NAME)' }], unique: false }] }),
        dialect: 'sqlite',
      },
      schema(),
    );
    expect(message).to.match(/table T, index IX_LOWER: its key expression is written for SQLite and the copied data is in SQL Server/);
    const sameDialect = await refused(
      schema({ indexes: [{ name: 'IX_LOWER', table: 'T', columns: ['(LOWER([NAME]))'], keys: [{ expression: 'LOWER([NAME])' }], unique: false }] }),
      schema(),
    );
    expect(sameDialect).to.match(/table T, index IX_LOWER: SQL Server cannot index an expression \(LOWER\(\[NAME\]\)\); index a computed column instead/);
  });

  describe('a UNIQUE constraint', () => {
    const UQ = { name: 'UQ_T_NAME_A', table: 'T', columns: ['NAME', 'A'] };
    it('target only: added', async () => {
      const { statements } = await sync(schema({ uniqueConstraints: [UQ] }), schema());
      expect(statements).to.deep.equal(['ALTER TABLE [T] ADD CONSTRAINT [UQ_T_NAME_A] UNIQUE ([NAME], [A])']);
      parses(statements[0]);
    });
    it('source only: dropped by its name', async () => {
      expect((await sync(schema(), schema({ uniqueConstraints: [{ ...UQ, name: 'UQ_SOURCE' }] }))).statements).to.deep.equal([
        'ALTER TABLE [T] DROP CONSTRAINT [UQ_SOURCE]',
      ]);
    });
    it('in both: nothing', async () =>
      expect((await sync(schema({ uniqueConstraints: [UQ] }), schema({ uniqueConstraints: [UQ] }))).statements).to.deep.equal([]));
  });

  describe('a collation', () => {
    const bin = (c: ColumnDefinition[]) => c.map((x) => (x.name === 'NAME' ? { ...x, collation: 'Latin1_General_BIN2' } : x));
    it('target only: the column is altered to it, with its type and nullability restated', async () => {
      const { statements } = await sync(schema({ columns: bin(BASE_COLUMNS) }), schema());
      expect(statements).to.deep.equal(['ALTER TABLE [T] ALTER COLUMN [NAME] nvarchar(60) COLLATE Latin1_General_BIN2 NOT NULL']);
    });
    it("source only: back to the database's default", async () => {
      const { statements } = await sync(schema(), schema({ columns: bin(BASE_COLUMNS) }));
      expect(statements).to.deep.equal(['ALTER TABLE [T] ALTER COLUMN [NAME] nvarchar(60) COLLATE DATABASE_DEFAULT NOT NULL']);
    });
    it('in both: nothing; on a new column: added with it', async () => {
      expect((await sync(schema({ columns: bin(BASE_COLUMNS) }), schema({ columns: bin(BASE_COLUMNS) }))).statements).to.deep.equal([]);
      const { statements } = await sync(schema({ columns: [...BASE_COLUMNS, col('CODE', 'nvarchar(10)', { collation: 'Latin1_General_CI_AS' })] }), schema());
      expect(statements).to.deep.equal(['ALTER TABLE [T] ADD [CODE] nvarchar(10) COLLATE Latin1_General_CI_AS NULL']);
    });
  });

  describe('a computed column', () => {
    const LABEL = col('LABEL', 'nvarchar(71)', { generated: { expression: "[NAME]+N'-'", stored: true } });
    it('target only: added, persisted', async () => {
      expect((await sync(schema({ columns: [...BASE_COLUMNS, LABEL] }), schema())).statements).to.deep.equal([
        "ALTER TABLE [T] ADD [LABEL] AS ([NAME]+N'-') PERSISTED",
      ]);
    });
    it('in both with another formula: recomputed', async () => {
      const other = { ...LABEL, generated: { expression: 'UPPER([NAME])', stored: false } };
      expect((await sync(schema({ columns: [...BASE_COLUMNS, LABEL] }), schema({ columns: [...BASE_COLUMNS, other] }))).statements).to.deep.equal([
        'ALTER TABLE [T] DROP COLUMN [LABEL]',
        "ALTER TABLE [T] ADD [LABEL] AS ([NAME]+N'-') PERSISTED",
      ]);
    });
    it('source only: kept as data; in both: nothing', async () => {
      const { plan, statements } = await sync(schema(), schema({ columns: [...BASE_COLUMNS, LABEL] }));
      expect(statements).to.deep.equal([]);
      expect(plan.kept).to.deep.equal(['T.LABEL']);
      expect((await sync(schema({ columns: [...BASE_COLUMNS, LABEL] }), schema({ columns: [...BASE_COLUMNS, LABEL] }))).statements).to.deep.equal([]);
    });
  });

  describe('views and triggers', () => {
    const VIEW = { name: 'V_T', sql: 'CREATE VIEW [dbo].[V_T] AS SELECT [NAME] FROM [dbo].[T] WHERE [A] > 0' };
    const TRIGGER = { name: 'TR_T', table: 'T', sql: 'CREATE TRIGGER [dbo].[TR_T] ON [dbo].[T] AFTER INSERT AS SET NOCOUNT ON;' };
    it('target only: created from their own definitions, views after tables and triggers last', async () => {
      const target = schema({ columns: [...BASE_COLUMNS, col('C', 'int')] }, { views: [VIEW], triggers: [TRIGGER] });
      const { statements } = await sync(target, schema());
      expect(statements).to.deep.equal(['ALTER TABLE [T] ADD [C] int NULL', VIEW.sql, TRIGGER.sql]);
    });
    it('source only: dropped, before anything else changes', async () => {
      const { statements } = await sync(schema({ columns: [...BASE_COLUMNS, col('C', 'int')] }), schema({}, { views: [VIEW], triggers: [TRIGGER] }));
      expect(statements).to.deep.equal(['DROP TRIGGER [TR_T]', 'DROP VIEW [V_T]', 'ALTER TABLE [T] ADD [C] int NULL']);
      parses(statements[2]);
    });
    it('in both: nothing, whatever the layout; different: replaced', async () => {
      const spaced = { ...VIEW, sql: VIEW.sql.replace(' AS ', '\n  AS\n  ') };
      expect((await sync(schema({}, { views: [VIEW] }), schema({}, { views: [spaced] }))).statements).to.deep.equal([]);
      const { statements } = await sync(
        schema({}, { triggers: [TRIGGER] }),
        schema({}, { triggers: [{ ...TRIGGER, sql: TRIGGER.sql.replace('INSERT', 'UPDATE') }] }),
      );
      expect(statements).to.deep.equal(['DROP TRIGGER [TR_T]', TRIGGER.sql]);
    });
    it("a definition that is not the object's own CREATE statement is refused, never run", async () => {
      const message = await refused(schema({}, { views: [{ name: 'V_T', sql: 'DROP TABLE [T]' }] }), schema());
      expect(message).to.match(/view V_T: its definition is not a CREATE VIEW statement for V_T \(it does not start with CREATE\)/);
    });
  });
});
