import { expect } from 'chai';
import { applyScrubPolicy } from '../activities/policy/apply-policy';
import { loadScrubPolicy, REFRESH_POLICY, shippedPolicyFile } from '../activities/policy/scrub-policy';
import { findEnvironment, parseCatalog, type SqlServerEnvironment } from '../config/catalog';
import type { EngineContext } from '../engines/port';
import { SqlServerEngine } from '../engines/sqlserver/sqlserver-engine';
import type { ConnectionTarget, TsqlConnection, TsqlResult } from '../engines/tsql/tsql-connection';
import { COLUMNS_QUERY, REFERENCED_QUERY, TRIGGERS_QUERY } from '../engines/tsql/tsql-introspect';
import { TsqlSession } from '../engines/tsql/tsql-session';

/**
 * SQL Server's part of "no residue", as far as it can be proved without a SQL Server (none can
 * be reached here: this is a MOCK at the wire that records statements). VERIFY's seal of a SQL
 * Server staging database checkpoints it and zeroes the free space of its data pages, with the
 * database name bound as a parameter. What sp_clean_db_free_space does to real pages, and what it
 * leaves (ghost records, unallocated pages, the log), is documented in docs/engines.md.
 */

const quiet: EngineContext = { progress: () => {}, saveResumeState: () => {}, resumeState: undefined, signal: new AbortController().signal, log: () => {} };

describe('no residue on SQL Server (recorded statements)', () => {
  it('VERIFY seals staging: CHECKPOINT in staging, then sp_clean_db_free_space from master with the name as a parameter', async () => {
    const sent: { database: string; sql: string; params: readonly unknown[] }[] = [];
    const connections = (target: ConnectionTarget): TsqlConnection => ({
      run: async (sql: string, params: readonly unknown[]): Promise<TsqlResult> => {
        sent.push({ database: target.database, sql, params });
        return { rows: [], rowsAffected: 0 };
      },
      begin: async () => {},
      commit: async () => {},
      rollback: async () => {},
      close: async () => {},
    });
    const catalog = parseCatalog(
      {
        environments: [
          { name: 'devsql', type: 'sandbox', engine: 'sqlserver', database: { server: 'sql01', database: 'AxDB', backupDirectory: 'D:\\Backups' } },
        ],
      },
      '/nowhere/environments.json',
    );
    const env = findEnvironment(catalog, 'devsql') as SqlServerEnvironment;
    const seal = await new SqlServerEngine({ connections }).sealStaging(env, 'refresh-devsql-20261124t034013z-bffb', quiet);
    expect(sent.map((s) => [s.database, s.sql])).to.deep.equal([
      [sent[0].database, 'CHECKPOINT'],
      ['master', 'EXEC sys.sp_clean_db_free_space @dbname = @p0'],
    ]);
    expect(sent[0].database, 'the checkpoint runs in the staging database').to.match(/^AxDB_stg_/);
    expect(sent[1].params).to.deep.equal([sent[0].database]);
    expect(seal.notes.join()).to.match(/zeroed the free space of every data page of sql01\/AxDB_stg_/);
  });

  it("SCRUB keeps a table's enabled triggers from firing while it changes the table (an audit trigger would copy what is removed), and leaves a disabled one disabled", async () => {
    const sent: string[] = [];
    const answers: Record<string, Record<string, unknown>[]> = {
      [COLUMNS_QUERY]: [
        {
          tableName: 'SysEmailSMTPPassword',
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
          tableName: 'SysEmailSMTPPassword',
          columnName: 'PASSWORD',
          typeName: 'nvarchar',
          maxLength: 510,
          numericPrecision: 0,
          numericScale: 0,
          isNullable: false,
          defaultValue: null,
          isPrimaryKey: 0,
        },
      ],
      [TRIGGERS_QUERY]: [
        {
          name: 'ContosoAuditPassword',
          tableName: 'SysEmailSMTPPassword',
          definition: 'CREATE TRIGGER [dbo].[ContosoAuditPassword] ON [dbo].[SysEmailSMTPPassword] AFTER DELETE AS SET NOCOUNT ON;',
          isDisabled: false,
        },
        {
          name: 'ContosoOld',
          tableName: 'SysEmailSMTPPassword',
          definition: 'CREATE TRIGGER [dbo].[ContosoOld] ON [dbo].[SysEmailSMTPPassword] AFTER UPDATE AS SET NOCOUNT ON;',
          isDisabled: true,
        },
      ],
      [REFERENCED_QUERY]: [{ n: 1 }],
    };
    const connection: TsqlConnection = {
      run: async (sql: string): Promise<TsqlResult> => {
        sent.push(sql);
        return { rows: answers[sql] ?? [], rowsAffected: 0 };
      },
      begin: async () => {},
      commit: async () => {},
      rollback: async () => {},
      close: async () => {},
    };
    const session = new TsqlSession(connection, 'staging (recorded)', false);
    await applyScrubPolicy(session, loadScrubPolicy([shippedPolicyFile(REFRESH_POLICY)]), {
      referencedByForeignKey: session.referencedByForeignKey.bind(session),
    });
    expect(sent.filter((s) => !s.startsWith('SELECT'))).to.deep.equal([
      'DISABLE TRIGGER [ContosoAuditPassword] ON [SysEmailSMTPPassword]',
      'DELETE TOP (4000) FROM [SysEmailSMTPPassword]',
      'ENABLE TRIGGER [ContosoAuditPassword] ON [SysEmailSMTPPassword]',
    ]);
  });
});
