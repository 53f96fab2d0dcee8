import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parser } from 'node-sql-parser';
import { tsqlDialect, quoteDatabase, DELETE_BATCH_ROWS } from '../engines/tsql/tsql-dialect';
import { TsqlSession } from '../engines/tsql/tsql-session';
import * as admin from '../engines/sqlserver/admin-sql';
import { applyScrubPolicy, countScrubPolicy } from '../activities/policy/apply-policy';
import { loadScrubPolicy, REFRESH_POLICY, shippedPolicyFile } from '../activities/policy/scrub-policy';
import { postConfigAllowances, postConfigure } from '../activities/steps/postconfig';
import { applySchemaSync, planSchemaSync } from '../activities/sync/schema-sync';
import { packageRoot } from '../config/package-root';
import { environment, FO_DATABASE_USERS, foContent } from './support/azure-estate';
import { CREATE_CONTAINED_USER_SQL, DROP_USER_SQL, tsqlPrincipals } from '../engines/tsql/principals';
import { readIdentityProperties, writeIdentityProperties } from '../engines/tsql/identity-properties';
import { principalsToCreate } from '../activities/fo/database-users';
import { foTsqlSchema } from './support/fo-tsql';
import { RecordedStatement, RecordingDataPlane } from './support/recording-tsql';

/**
 * The T-SQL dbmove renders for Azure SQL and SQL Server, produced by the real policies,
 * dialect and TsqlSession over a RECORDING data plane (no SQL Server can be reached here),
 * then: parsed by node-sql-parser (transactsql) where the parser knows the statement,
 * compared with the reviewed golden files under test/golden/tsql/ (UPDATE_GOLDEN=1 rewrites
 * them), and checked for the properties that matter: identifiers bracketed from the strict
 * pattern, every value a parameter, large deletes batched, TRUNCATE TABLE only where no
 * foreign key references the table. Whether SQL Server runs them as intended is for the
 * live suite.
 */
interface Rendered {
  sql: string;
  params: readonly unknown[];
}

const GOLDEN_DIR = path.join(packageRoot(), 'test', 'golden', 'tsql');
const parser = new Parser();

/**
 * node-sql-parser 5.4's transactsql grammar is the quick first check; the strong one is sqlglot's
 * T-SQL parser over every golden file (test/tsql-sqlglot.test.ts). Where node-sql-parser falls
 * short, the test still parses the rest of the statement: COUNT_BIG is not in its function list
 * (parsed as COUNT), and it has no AT TIME ZONE (parsed without it). Server-level statements
 * (BACKUP, RESTORE, ALTER DATABASE, DROP DATABASE, IF, DECLARE) are not in its grammar at all;
 * those are held to an exact shape instead.
 */
const PARSER_GAPS: [RegExp, string][] = [
  [/\bCOUNT_BIG\(/g, 'COUNT('],
  [/ AT TIME ZONE @p1\)/g, ')'],
];
const UNPARSEABLE_ADMIN = /^(BACKUP|RESTORE|ALTER DATABASE|IF DATABASEPROPERTYEX|IF DB_ID|DECLARE)/;

function parse(sql: string): void {
  let text = sql;
  for (const [gap, instead] of PARSER_GAPS) text = text.replace(gap, instead);
  parser.astify(text, { database: 'transactsql' });
}

/** The only string literals dbmove writes into statements: its own constants, never data. */
const ALLOWED_LITERALS = new Set([
  "'masked-'",
  "'masked-%'",
  "'@example.invalid'",
  "'SHA2_256'",
  "''",
  "'None'",
  "'U'",
  "'dbo'",
  "'Status'",
  "'ONLINE'",
  "'InstanceDefaultDataPath'",
  "'InstanceDefaultLogPath'",
  "'D'",
  "'L'",
  "'SpaceUsed'",
]);

function checkProperties(label: string, statements: Rendered[]): void {
  for (const s of statements) {
    const where = `${label}: ${s.sql}`;
    // Identifiers: every bracketed name is a plain identifier (nothing can close the bracket).
    for (const id of s.sql.match(/\[[^\]]*\]/g) ?? []) expect(id, where).to.match(/^\[[A-Za-z0-9_][A-Za-z0-9_-]*\]$/);
    // Values: only dbmove's own constants as literals; data arrives as @pN parameters.
    for (const literal of s.sql.match(/N?'(?:[^']|'')*'/g) ?? []) expect(ALLOWED_LITERALS.has(literal), `${where} has the literal ${literal}`).to.equal(true);
    for (const value of s.params) if (typeof value === 'string' && value !== '') expect(s.sql, where).not.to.include(`'${value.replace(/'/g, "''")}'`);
    const placeholders = new Set((s.sql.match(/@p\d+/g) ?? []).map((p) => Number(p.slice(2))));
    expect(placeholders.size, `${where}: every parameter is used`).to.equal(s.params.length);
    for (const i of placeholders) expect(i, where).to.be.lessThan(s.params.length);
  }
}

function golden(name: string, statements: Rendered[]): void {
  const text = [
    `-- ${name}: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.`,
    ...statements.map((s) => `${s.params.length ? `-- params: ${JSON.stringify(s.params)}\n` : ''}${s.sql};\n`),
  ].join('\n');
  const file = path.join(GOLDEN_DIR, `${name}.sql`);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, text);
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`Wrote the missing golden file ${file}; review and commit it, then run again`);
  }
  expect(text, `${file} differs; review the change and run with UPDATE_GOLDEN=1 to accept it`).to.equal(fs.readFileSync(file, 'utf8'));
}

function statementsOf(plane: RecordingDataPlane, from = 0): RecordedStatement[] {
  return plane.statements.slice(from);
}

describe('T-SQL rendered for Azure SQL and SQL Server (recording data plane; parsed, golden, properties)', function () {
  this.timeout(30_000);
  const uat = environment('azuat');
  let content: ReturnType<typeof foContent>;
  let plane: RecordingDataPlane;
  let session: TsqlSession;
  let live: TsqlSession;

  beforeEach(() => {
    content = foContent('azuat', 'sandbox', true);
    const prodContent = foContent('azprod', 'production');
    plane = new RecordingDataPlane(
      (target) => (target.database === 'AxDB_live' ? content : prodContent),
      () => new Date('2026-01-01T00:00:00Z'),
    );
    const target = { environment: 'azuat', host: 'contoso-uat-sql.database.windows.net', authentication: { type: 'default' as const } };
    session = new TsqlSession(plane.connections({ ...target, database: 'AxDB_stg' }), 'staging', false);
    live = new TsqlSession(plane.connections({ ...target, database: 'AxDB_live' }), 'live', true);
  });

  it('SCRUB with the shipped refresh policy: batched deletes, TRUNCATE TABLE only where no foreign key references the table', async () => {
    const policy = loadScrubPolicy([shippedPolicyFile(REFRESH_POLICY)]);
    await applyScrubPolicy(session, policy, { referencedByForeignKey: session.referencedByForeignKey.bind(session) });
    const writes = statementsOf(plane).filter((s) => !/^SELECT /.test(s.sql));
    const clears = policy.elements.filter((e) => e.action === 'clear').flatMap((e) => e.tables);
    const referenced = foContent('x', 'sandbox').referenced; // BATCHJOBHISTORY: a foreign key points at it
    expect(clears.length).to.be.greaterThan(10);
    for (const policyName of clears) {
      // Policies name tables as the seeds do (SysServerConfig); the database names them as AxDB does (SYSSERVERCONFIG).
      const table = content.schema.tables.find((t) => t.name.toLowerCase() === policyName.toLowerCase())?.name;
      expect(table, `${policyName} is in the F&O schema`).to.be.a('string');
      if (!table) continue;
      const forTable = writes.filter((w) => w.sql.includes(`[${table}]`));
      if (referenced.includes(table))
        expect(
          forTable.map((w) => w.sql),
          table,
        ).to.deep.equal([`DELETE TOP (${DELETE_BATCH_ROWS}) FROM [${table}]`]);
      else
        expect(
          forTable.map((w) => w.sql),
          table,
        ).to.deep.equal([`TRUNCATE TABLE [${table}]`]);
    }
    expect(writes.some((w) => w.sql === 'DELETE TOP (4000) FROM [BATCHJOBHISTORY]')).to.equal(true);
    expect(writes.some((w) => w.sql === 'TRUNCATE TABLE [DOCUVALUE]')).to.equal(true);
    // No DELETE without TOP: every delete is batched to bound the log.
    for (const w of writes.filter((w) => /^DELETE /.test(w.sql))) expect(w.sql).to.match(/^DELETE TOP \(\d+\) FROM /);
    // Values of the policy ('Admin', '%@%', 2) are parameters.
    const disable = writes.find((w) => w.sql.startsWith('UPDATE [USERINFO]'))!;
    expect(disable.sql).to.equal(
      'UPDATE [USERINFO] SET [ENABLE] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([ID] IS NULL OR NOT (UPPER([ID]) = UPPER(@p1))) AND ([ISMICROSOFTACCOUNT] = @p2)) AND (([ENABLE] IS NULL OR [ENABLE] <> @p3))',
    );
    // Admin and Microsoft's service accounts stay enabled (seeds: "except the Admin user and other internal service user accounts").
    expect(disable.params).to.deep.equal([0, 'Admin', 0, 0]);
    for (const s of statementsOf(plane)) parse(s.sql);
    checkProperties('scrub', statementsOf(plane));
    golden('scrub-refresh', statementsOf(plane));
  });

  it('SCRUB with every condition and mask rule: row-level deletes in batches of 4,000, repeated until none is left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbmove-policy-'));
    const file = path.join(dir, 'conditions.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'every-condition',
        elements: [
          {
            id: 'delete-old-parties',
            description: 'Delete',
            action: 'delete',
            tables: ['DirPartyTable'],
            where: {
              all: [
                { column: 'PARTYNUMBER', like: 'X%' },
                { not: { column: 'NAME', in: ["O'Brien; DROP TABLE x --", 'b'] } },
                { column: 'NAME', isNull: false },
              ],
            },
          },
          { id: 'mask-parties', description: 'Mask', action: 'mask', tables: ['DirPartyTable'], columns: { NAME: 'hash', PARTYNUMBER: { fixed: 'P-0' } } },
          {
            id: 'mask-users',
            description: 'Mask users',
            action: 'mask',
            tables: ['USERINFO'],
            columns: { NETWORKALIAS: 'email', SID: 'null', COMPANY: 'empty' },
            where: {
              any: [
                { column: 'ID', notIn: ['Admin'] },
                { column: 'ACCOUNTTYPE', notEquals: 3 },
                { column: 'COMPANY', equals: 'usmf', ignoreCase: true },
              ],
            },
          },
          {
            id: 'credit',
            description: 'Update',
            action: 'update',
            tables: ['CustTable'],
            set: { CREDITMAX: 0, CUSTGROUP: 'Z' },
            where: { column: 'CURRENCY', notEquals: null },
          },
        ],
      }),
    );
    const policy = loadScrubPolicy([file]);
    // The recording plane reports 0 rows changed; give the DELETE three full batches first.
    let batches = 0;
    const inner = plane.answer.bind(plane);
    plane.answer = (target, sql, params) =>
      sql.startsWith('DELETE TOP') && batches++ < 3 ? (inner(target, sql, params), { rows: [], rowsAffected: DELETE_BATCH_ROWS }) : inner(target, sql, params);
    const results = await applyScrubPolicy(session, policy);
    const deletes = statementsOf(plane).filter((s) => s.sql.startsWith('DELETE'));
    expect(deletes).to.have.length(4); // three full batches, then one that finds nothing
    expect(new Set(deletes.map((d) => d.sql)).size).to.equal(1);
    expect(deletes[0].sql).to.match(/^DELETE TOP \(4000\) FROM \[DIRPARTYTABLE\] WHERE /);
    expect(deletes[0].params).to.deep.equal(['X%', "O'Brien; DROP TABLE x --", 'b']);
    expect(results[0].rows).to.equal(3 * DELETE_BATCH_ROWS);
    for (const s of statementsOf(plane)) parse(s.sql);
    checkProperties('conditions', statementsOf(plane));
    golden('scrub-conditions', statementsOf(plane));
  });

  it("SYNC of the production schema to uat's customised one: ALTER TABLE, CREATE TABLE and CREATE INDEX, parsed", async () => {
    const plan = planSchemaSync(foTsqlSchema({ customisation: true }), foTsqlSchema(), tsqlDialect);
    expect(plan.incompatibilities).to.deep.equal([]);
    await applySchemaSync(session, plan, 'azuat');
    const ddl = statementsOf(plane).filter((s) => !s.sql.startsWith('SELECT'));
    expect(ddl.map((s) => s.sql.split(' (')[0])).to.include.members([
      "ALTER TABLE [CUSTTABLE] ADD [CONTOSOLOYALTYTIER] nvarchar(255) NOT NULL DEFAULT 'None'",
      'CREATE TABLE [CONTOSOINTEGRATIONLOG]',
    ]);
    for (const s of statementsOf(plane)) parse(s.sql);
    checkProperties('sync', statementsOf(plane));
    golden('sync', statementsOf(plane));
  });

  it('POSTCONFIG and VERIFY for uat: every environment value bound as a parameter', async () => {
    await postConfigure(session, uat, live);
    const policy = loadScrubPolicy([shippedPolicyFile(REFRESH_POLICY)]);
    const verifyFrom = plane.statements.length;
    const violations = await countScrubPolicy(session, policy, postConfigAllowances(uat));
    expect(violations.length).to.be.greaterThan(0);
    const all = statementsOf(plane);
    const writes = all.filter((s) => !s.sql.startsWith('SELECT'));
    const admin = writes.find((s) => s.sql.startsWith('UPDATE [USERINFO] SET [NETWORKALIAS]'))!;
    expect(admin.params.slice(0, 2)).to.deep.equal(['uat-admin@contoso.test', 'UAT environment administrator']);
    expect(writes.filter((s) => s.sql.startsWith('INSERT INTO [BATCHSERVERCONFIG]')).map((s) => s.params)).to.deep.equal([['Batch:UAT-BATCH-01']]);
    // VERIFY excludes what POSTCONFIG put back (the enabled user alice) with NOT (...), as parameters.
    const users = all.slice(verifyFrom).find((s) => s.sql.includes('FROM [USERINFO]'))!;
    expect(users.sql).to.match(/AND NOT \(\(\[ID\] IN \(@p\d+\)\) OR \(\[NETWORKALIAS\] IN \(@p\d+\)\)\)$/);
    expect(users.params).to.include('alice');
    for (const s of all) parse(s.sql);
    checkProperties('postconfig+verify', all);
    golden('postconfig', all.slice(0, verifyFrom));
    golden('verify', all.slice(verifyFrom));
  });

  it('SQL Server admin statements: BACKUP ... COPY_ONLY, RESTORE WITH MOVE (CHECKSUM only where the backup has checksums), marker log backup, RESTORE LOG WITH STOPAT as datetime, rename, drop', () => {
    const statements: Rendered[] = [
      admin.backupCopyOnly('AxDB', 'D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak', 'dbmove-copy-1a2b3c4d5e', 'dbmove: copy of AxDB for refresh-1'),
      admin.fileList(['D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak']),
      admin.restoreDatabase(
        'AxDB_stg_1a2b3c4d5e',
        ['D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak'],
        [
          { logicalName: 'AxDB', physicalName: 'E:\\Data\\AxDB_stg_1a2b3c4d5e_AxDB.mdf' },
          { logicalName: 'AxDB_log', physicalName: 'F:\\Log\\AxDB_stg_1a2b3c4d5e_AxDB_log.ldf' },
        ],
        true,
        true,
      ),
      admin.backupChainBase('AxDB', 'D:\\Backups\\AxDB_base_1a2b3c4d5e.bak', 'dbmove-base-1a2b3c4d5e', 'dbmove: first full backup'),
      admin.backupLogMarker(
        'AxDB',
        'D:\\Backups\\AxDB_marker_1a2b3c4d5e.bak',
        'dbmove-marker-1a2b3c4d5e',
        'dbmove marker of refresh-1; utc=2026-01-01T00:00:00.000Z; local=2026-01-01T01:00:00.000',
      ),
      // The customer's own full backup, taken without checksums (SQL Server's default).
      admin.restoreDatabase(
        'AxDB_rb_1a2b3c4d5e',
        ['D:\\Backups\\full-1.bak', 'D:\\Backups\\full-2.bak'],
        [{ logicalName: 'AxDB', physicalName: 'E:\\Data\\rb.mdf' }],
        false,
        false,
      ),
      admin.restoreLog('AxDB_rb_1a2b3c4d5e', ['D:\\Backups\\log-1.trn'], '2026-01-01T01:00:00.000', false),
      admin.restoreLog('AxDB_rb_1a2b3c4d5e', ['D:\\Backups\\AxDB_marker_1a2b3c4d5e.bak'], '2026-01-01T01:00:00.000', true),
      admin.recoverDatabase('AxDB_rb_1a2b3c4d5e'),
      admin.autoUpdateStatisticsAsync('AxDB', false),
      admin.renameDatabase('AxDB', 'AxDB_pre_1a2b3c4d5e'),
      admin.autoUpdateStatisticsAsync('AxDB_pre_1a2b3c4d5e', true),
      admin.multiUser('AxDB'),
      admin.dropDatabase('AxDB_stg_1a2b3c4d5e'),
      admin.databaseStates(['AxDB', 'AxDB_stg_1a2b3c4d5e']),
      admin.backupHistory('6c764297-577b-470f-9af4-96d3d41e2ba3'),
      admin.backupByName('dbmove-marker-1a2b3c4d5e'),
      admin.wallClockIn('2026-03-29T01:30:00.000Z', 'W. Europe Standard Time'),
      admin.SERVER_TIME,
      admin.DEFAULT_PATHS,
      admin.requestProgress(57),
    ];
    const [backup, , restore, , marker, customerFull, customerLog, markerLog, , asyncOff, rename, , , drop] = statements;
    expect(backup.sql).to.equal('BACKUP DATABASE [AxDB] TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM, NAME = @p1, DESCRIPTION = @p2, STATS = 5');
    expect(restore.sql).to.equal(
      'RESTORE DATABASE [AxDB_stg_1a2b3c4d5e] FROM DISK = @p0 WITH MOVE @p1 TO @p2, MOVE @p3 TO @p4, REPLACE, RECOVERY, CHECKSUM, STATS = 5',
    );
    expect(restore.params).to.deep.equal([
      'D:\\Backups\\AxDB_copy_1a2b3c4d5e.bak',
      'AxDB',
      'E:\\Data\\AxDB_stg_1a2b3c4d5e_AxDB.mdf',
      'AxDB_log',
      'F:\\Log\\AxDB_stg_1a2b3c4d5e_AxDB_log.ldf',
    ]);
    expect(marker.sql).to.match(/^BACKUP LOG \[AxDB\] TO DISK = @p0 WITH COPY_ONLY, /);
    // A backup without checksums is restored without CHECKSUM (which would make RESTORE fail).
    expect(customerFull.sql).not.to.include('CHECKSUM');
    expect(customerLog.sql).not.to.include('CHECKSUM');
    expect(markerLog.sql).to.include('WITH NORECOVERY, CHECKSUM, STOPAT = @stop_at');
    // STOPAT gets a datetime variable (varchar, char, smalldatetime or datetime: never the nvarchar mssql binds a string as).
    expect(customerLog.sql).to.equal(
      'DECLARE @stop_at datetime = CONVERT(datetime, @p1, 126); RESTORE LOG [AxDB_rb_1a2b3c4d5e] FROM DISK = @p0 WITH NORECOVERY, STOPAT = @stop_at',
    );
    expect(customerLog.sql).not.to.match(/STOPAT = @p\d/);
    // Rename: statistics thread off first; no TRY/CATCH (a CATCH block sees only the last message, never the cause).
    expect(asyncOff.sql).to.equal('ALTER DATABASE [AxDB] SET AUTO_UPDATE_STATISTICS_ASYNC OFF');
    expect(rename.sql).to.include('ALTER DATABASE [AxDB] MODIFY NAME = [AxDB_pre_1a2b3c4d5e];');
    expect(rename.sql).not.to.match(/CATCH|TRY/);
    expect(drop.sql).to.match(/SET AUTO_UPDATE_STATISTICS_ASYNC OFF; ALTER DATABASE \[AxDB_stg_1a2b3c4d5e\] SET SINGLE_USER/);
    expect(drop.params).to.deep.equal(['AxDB_stg_1a2b3c4d5e']);
    for (const s of statements) {
      // The server-level statements are outside node-sql-parser's grammar; queries of the catalog views parse.
      if (UNPARSEABLE_ADMIN.test(s.sql)) expect(() => parse(s.sql), `expected node-sql-parser to still lack ${s.sql.slice(0, 30)}`).to.throw();
      else parse(s.sql);
    }
    checkProperties('admin', statements);
    golden('sqlserver-admin', statements);
  });

  it('refuses identifiers that could close a bracket or smuggle a statement, before any SQL is rendered', () => {
    for (const bad of ['x]; DROP TABLE y --', 'a b', "O'Brien", '[x]', '']) {
      expect(() => tsqlDialect.quote(bad), bad).to.throw(/identifier/);
      expect(() => quoteDatabase(bad), bad).to.throw(/database name/);
      expect(() => admin.backupCopyOnly(bad, 'f', 'n', 'd'), bad).to.throw();
    }
    expect(() => tsqlDialect.createIndex({ name: 'I', table: 'T', columns: ['A]; --'], unique: false })).to.throw(/identifier/);
    expect(() => tsqlDialect.addColumn('T', { name: 'C', type: 'nvarchar(10)); DROP TABLE T; --', notNull: false })).to.throw(/cannot write into T-SQL DDL/);
    expect(() => tsqlDialect.addColumn('T', { name: 'C', type: 'int', notNull: false, defaultValue: '(0); DROP TABLE T' })).to.throw(/not a plain literal/);
  });
});

/**
 * Database users, change tracking and identity on the T-SQL engines (engines/tsql/principals.ts,
 * engines/tsql/identity-properties.ts): what SCRUB, POSTCONFIG and SWAP send, rendered by
 * the real code over the recording data plane. Statements built around sp_executesql
 * (DECLARE, IF, EXEC) are outside node-sql-parser's grammar and are held to their golden
 * text; every SELECT they rely on parses. Names and passwords are parameters, quoted by the
 * server (QUOTENAME), never spliced by dbmove.
 */
describe('T-SQL for database users, change tracking and identity (recording data plane; parsed, golden, properties)', function () {
  const PRINCIPAL_LITERALS = [
    "N''",
    "N'.'",
    "N''''",
    "'R'",
    "N'ALTER TABLE '",
    "N' DISABLE CHANGE_TRACKING'",
    "N'ALTER AUTHORIZATION ON SCHEMA::'",
    "N'ALTER AUTHORIZATION ON ROLE::'",
    "N'ALTER AUTHORIZATION ON FULLTEXT CATALOG::'",
    "N' TO [dbo]; '",
    "N'DROP CERTIFICATE '",
    "N'DROP USER '",
    "N'CREATE USER '",
    "N'ALTER USER '",
    "N' WITH PASSWORD = '",
    "N' FROM LOGIN '",
    "N'ALTER ROLE '",
    "N' ADD MEMBER '",
  ];
  for (const literal of PRINCIPAL_LITERALS) ALLOWED_LITERALS.add(literal);
  const target = { environment: 'azuat', host: 'contoso-uat-sql.database.windows.net', authentication: { type: 'default' as const } };
  let content: ReturnType<typeof foContent>;
  let plane: RecordingDataPlane;
  let session: TsqlSession;

  beforeEach(() => {
    content = foContent('azprod', 'production');
    plane = new RecordingDataPlane(() => content);
    session = new TsqlSession(plane.connections({ ...target, database: 'AxDB_stg' }), 'staging', false);
  });

  /** Every query parses; statements around sp_executesql parse where the grammar reaches (their golden text holds them either way). */
  const parseSelects = (statements: Rendered[]) => {
    for (const s of statements) {
      if (/^SELECT /.test(s.sql)) parse(s.sql);
      else
        try {
          parse(s.sql);
        } catch {
          /* DECLARE, EXEC and IF ... BEGIN ... END are outside node-sql-parser's transactsql grammar */
        }
    }
  };

  it("SCRUB: change tracking off on every table, then the database; each copied user's schemas, roles and catalogs to dbo, its certificates dropped, the user dropped; dbo kept", async () => {
    content.databaseUsers.push('NT AUTHORITY\\NETWORK SERVICE', 'x]; DROP TABLE USERINFO; --');
    const cleared = await tsqlPrincipals.clearCopied(session);
    expect(cleared.users).to.deep.equal([...FO_DATABASE_USERS, 'NT AUTHORITY\\NETWORK SERVICE', 'x]; DROP TABLE USERINFO; --']);
    expect(content.databaseUsers).to.deep.equal(['dbo']);
    expect(content.changeTracked).to.deep.equal([]);
    expect(content.changeTrackingOn).to.equal(false);
    const statements = plane.statements;
    // A hostile user name reaches the server as a parameter only.
    const drop = statements.filter((s) => s.sql === DROP_USER_SQL).at(-1)!;
    expect(drop.params).to.deep.equal(['x]; DROP TABLE USERINFO; --']);
    expect(statements.map((s) => s.sql).join('\n')).to.not.include('DROP TABLE USERINFO');
    parseSelects(statements);
    checkProperties('principals-scrub', statements);
    golden('principals-scrub', statements);
  });

  it("POSTCONFIG: the target's contained users with F&O's roles where the role exists, a login user, change tracking on again; passwords only as parameters", async () => {
    content.databaseUsers = ['dbo'];
    const users = principalsToCreate(
      environment('azuat'),
      (name) => ({ TEST_AXDBADMIN_PASSWORD: "p4ss'; DROP USER dbo; --" })[name] ?? `${name.toLowerCase()}-value`,
    );
    users.push(
      { name: 'axdeployuser', roles: ['db_owner'], login: 'axdeployuser' },
      { name: 'axdeployextuser', roles: ['DeployExtensibilityRole'], password: 'x' },
    );
    const made = await tsqlPrincipals.createOwn(session, users);
    expect(made.created).to.deep.equal(['axdbadmin', 'axruntimeuser', 'axmrruntimeuser', 'axdeployuser', 'axdeployextuser']);
    expect(made.roles).to.deep.equal([
      'axdbadmin: db_owner',
      'axruntimeuser: db_datareader',
      'axruntimeuser: db_datawriter',
      'axmrruntimeuser: ReportingIntegrationUser',
      'axmrruntimeuser: db_datareader',
      'axmrruntimeuser: db_datawriter',
      'axdeployuser: db_owner',
    ]);
    // DeployExtensibilityRole is not in this database: skipped and said, as set-bacpacvaluessql.sql does.
    expect(made.missingRoles).to.deep.equal(['axdeployextuser: DeployExtensibilityRole']);
    expect(content.changeTrackingOn).to.equal(true);
    for (const s of plane.statements) expect(s.sql).to.not.include('DROP USER dbo');
    const create = plane.statements.find((s) => s.sql === CREATE_CONTAINED_USER_SQL)!;
    expect(create.params).to.deep.equal(['axdbadmin', "p4ss'; DROP USER dbo; --"]);
    parseSelects(plane.statements);
    checkProperties('principals-postconfig', plane.statements);
    golden('principals-postconfig', plane.statements);
  });

  it('SWAP on SQL Server: the identity as database extended properties, added or updated in one statement, read back', async () => {
    await writeIdentityProperties(session, { environment: 'sqluat', type: 'sandbox', operationId: 'refresh-sqluat-1', stampedAt: '2026-01-01T00:00:00.000Z' });
    expect(await readIdentityProperties(session)).to.deep.equal({
      environment: 'sqluat',
      type: 'sandbox',
      operationId: 'refresh-sqluat-1',
      stampedAt: '2026-01-01T00:00:00.000Z',
    });
    parseSelects(plane.statements);
    checkProperties('identity', plane.statements);
    golden('identity-properties', plane.statements);
  });
});
