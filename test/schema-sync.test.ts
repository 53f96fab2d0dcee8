import { expect } from 'chai';
import Database from 'better-sqlite3';
import { applySchemaSync, planSchemaSync, SchemaIncompatibleError, type SyncPlan } from '../activities/sync/schema-sync';
import { decide } from '../client/operations';
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { introspectSqlite } from '../engines/local/sqlite-introspect';
import { openSqlite, SqliteSession } from '../engines/local/sqlite-session';
import { sqliteDialect } from '../engines/local/sqlite-dialect';
import type { SchemaDefinition } from '../engines/schema';
import { mutate, query, tableChecksums } from './support/estate';
import { estateWithWorker } from './support/fixture';
import { startRefresh, waitForPhase } from './support/operations';

/**
 * SYNC takes any schema object both SQL families can hold, in each direction: defined by the
 * target only (created), by the source only (dropped, or kept where it is data), by both
 * (left alone when equal, rebuilt when not). What it cannot carry fails the step with a typed
 * error naming the object, before anything changes. Real SQLite databases throughout; the T-SQL
 * side is in test/schema-sync-tsql.test.ts.
 */

const BASE = 'CREATE TABLE T (RECID INTEGER PRIMARY KEY, NAME TEXT NOT NULL, A INT, B INT)';
const ROWS = [
  [1, 'Alpha', 1, 10],
  [2, 'beta', 0, 20],
  [3, 'Gamma', 2, 30],
];

/** A database file of its own (SYNC's sessions run on database threads, which open files). */
function database(ddl: string[], rows = ROWS): Database.Database {
  const db = new Database(path.join(os.tmpdir(), `dbmove-schema-sync-${crypto.randomBytes(6).toString('hex')}.sqlite`));
  for (const sql of ddl) db.exec(sql);
  const insert = db.prepare('INSERT INTO T (RECID, NAME, A, B) VALUES (?, ?, ?, ?)');
  for (const row of rows) insert.run(...row);
  return db;
}

interface Synced {
  plan: SyncPlan;
  after: SchemaDefinition;
  copied: Database.Database;
}

/** Runs SYNC's plan on `db` through a real session, as the SYNC step does. */
async function applyTo(db: Database.Database, plan: SyncPlan): Promise<void> {
  const session = await SqliteSession.open(db.name, 'read-write', 'copied');
  try {
    await applySchemaSync(session, plan, 'uat');
  } finally {
    await session.close();
  }
}

/** SYNC of `copiedDdl` (the data, as the source had it) to the schema `targetDdl` defines. */
async function sync(targetDdl: string[], copiedDdl: string[], rows = ROWS): Promise<Synced> {
  const target = database(targetDdl, []);
  const copied = database(copiedDdl, rows);
  const plan = planSchemaSync(introspectSqlite(target), introspectSqlite(copied), sqliteDialect);
  await applyTo(copied, plan);
  return { plan, after: introspectSqlite(copied), copied };
}

/** The same, expecting SYNC to refuse: the error, and proof nothing changed. */
async function refused(targetDdl: string[], copiedDdl: string[], rows = ROWS): Promise<SchemaIncompatibleError> {
  const target = database(targetDdl, []);
  const copied = database(copiedDdl, rows);
  const before = JSON.stringify(introspectSqlite(copied));
  const plan = planSchemaSync(introspectSqlite(target), introspectSqlite(copied), sqliteDialect);
  const err = await applyTo(copied, plan).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'SYNC refuses').to.be.instanceOf(SchemaIncompatibleError);
  expect((err as SchemaIncompatibleError).type).to.equal('SchemaIncompatible');
  if (plan.incompatibilities.length) expect(JSON.stringify(introspectSqlite(copied)), 'nothing changed before the refusal').to.equal(before);
  return err as SchemaIncompatibleError;
}

const kinds = (plan: SyncPlan) => plan.actions.map((a) => a.kind);
const index = (s: SchemaDefinition, name: string) => s.tables[0].indexes.find((i) => i.name === name);

describe('SYNC takes any schema object both dialects can hold (SQLite)', () => {
  describe('an index on an expression', () => {
    const IX = 'CREATE INDEX IX_LOWERNAME ON T (lower(NAME))';
    it('in both: nothing to do (it crashed on a null column name before)', async () => {
      const { plan } = await sync([BASE, IX], [BASE, IX]);
      expect(plan.actions).to.deep.equal([]);
    });
    it('in both, different: rebuilt to the target definition', async () => {
      const { plan, after } = await sync([BASE, IX], [BASE, 'CREATE INDEX IX_LOWERNAME ON T (upper(NAME))']);
      expect(kinds(plan)).to.deep.equal(['drop-index', 'create-index']);
      expect(index(after, 'IX_LOWERNAME')?.keys?.[0].expression).to.equal('lower(NAME)');
    });
    it('target only: created (it failed with Invalid identifier "null" before)', async () => {
      const { plan, after, copied } = await sync([BASE, IX], [BASE]);
      expect(kinds(plan)).to.deep.equal(['create-index']);
      expect(index(after, 'IX_LOWERNAME')?.columns).to.deep.equal(['(lower(NAME))']);
      expect(
        copied
          .prepare("EXPLAIN QUERY PLAN SELECT * FROM T WHERE lower(NAME) = 'beta'")
          .all()
          .map((r) => (r as { detail: string }).detail)
          .join(),
      ).to.include('IX_LOWERNAME');
    });
    it('source only: dropped', async () => {
      const { plan, after } = await sync([BASE], [BASE, IX]);
      expect(kinds(plan)).to.deep.equal(['drop-index']);
      expect(index(after, 'IX_LOWERNAME')).to.equal(undefined);
    });
  });

  describe('a partial index', () => {
    const IX = 'CREATE UNIQUE INDEX IX_ACTIVE ON T (NAME COLLATE NOCASE, A DESC) WHERE A > 0';
    it('in both: nothing to do', async () => expect((await sync([BASE, IX], [BASE, IX])).plan.actions).to.deep.equal([]));
    it('in both with another predicate: rebuilt', async () => {
      const { plan, after } = await sync([BASE, IX], [BASE, 'CREATE UNIQUE INDEX IX_ACTIVE ON T (NAME COLLATE NOCASE, A DESC) WHERE A >= 0']);
      expect(kinds(plan)).to.deep.equal(['drop-index', 'create-index']);
      expect(index(after, 'IX_ACTIVE')?.where).to.equal('A > 0');
    });
    it('target only: created with its predicate, collation and order', async () => {
      const { after } = await sync([BASE, IX], [BASE]);
      expect(index(after, 'IX_ACTIVE')).to.deep.include({ unique: true, where: 'A > 0' });
      expect(index(after, 'IX_ACTIVE')?.keys).to.deep.equal([
        { column: 'NAME', descending: false, collation: 'NOCASE' },
        { column: 'A', descending: true, collation: 'BINARY' },
      ]);
    });
    it('source only: dropped', async () => expect(kinds((await sync([BASE], [BASE, IX])).plan)).to.deep.equal(['drop-index']));
  });

  describe('a UNIQUE constraint', () => {
    const UNIQUE = 'CREATE TABLE T (RECID INTEGER PRIMARY KEY, NAME TEXT NOT NULL, A INT, B INT, UNIQUE (A, B))';
    it('in both: nothing to do', async () => expect((await sync([UNIQUE], [UNIQUE])).plan.actions).to.deep.equal([]));
    it('target only: enforced by a unique index, which the next SYNC recognises', async () => {
      const { plan, copied } = await sync([UNIQUE], [BASE]);
      expect(kinds(plan)).to.deep.equal(['add-unique']);
      expect(() => copied.prepare("INSERT INTO T (RECID, NAME, A, B) VALUES (9, 'dup', 1, 10)").run()).to.throw(/UNIQUE constraint failed/);
      const again = planSchemaSync(introspectSqlite(database([UNIQUE], [])), introspectSqlite(copied), sqliteDialect);
      expect(again.actions).to.deep.equal([]);
    });
    it('target only, data with duplicates: refused naming the constraint and the columns', async () => {
      const err = await refused([UNIQUE], [BASE], [...ROWS, [4, 'Delta', 1, 10]]);
      expect(err.message).to.match(
        /table T, column A, B, UNIQUE \(A, B\): the target's UNIQUE \(A, B\) cannot be built because the copied data has duplicate values/,
      );
    });
    it('source only: refused naming it (SQLite cannot drop a table constraint without rebuilding the table)', async () => {
      const err = await refused([BASE], [UNIQUE]);
      expect(err.message).to.match(/table T, UNIQUE \(A, B\): SQLite cannot drop the UNIQUE \(A, B\) clause of T/);
    });
  });

  describe('a collation', () => {
    const NOCASE = 'CREATE TABLE T (RECID INTEGER PRIMARY KEY, NAME TEXT NOT NULL COLLATE NOCASE, A INT, B INT)';
    it('in both: nothing to do', async () => expect((await sync([NOCASE], [NOCASE])).plan.actions).to.deep.equal([]));
    it('target only: refused naming the column and both collations', async () => {
      const err = await refused([NOCASE], [BASE]);
      expect(err.message).to.match(/table T, column NAME, collation NOCASE \(the copied data has BINARY\): SQLite cannot change the collation/);
    });
    it('source only: refused the same way', async () => {
      const err = await refused([BASE], [NOCASE]);
      expect(err.message).to.match(/table T, column NAME, collation BINARY \(the copied data has NOCASE\)/);
    });
    it('on a column only the target has: added with it', async () => {
      const { after, copied } = await sync([BASE, 'ALTER TABLE T ADD COLUMN CODE TEXT COLLATE NOCASE'], [BASE]);
      expect(after.tables[0].columns.find((c) => c.name === 'CODE')?.collation).to.equal('NOCASE');
      copied.prepare("UPDATE T SET CODE = 'abc' WHERE RECID = 1").run();
      expect(copied.prepare("SELECT RECID FROM T WHERE CODE = 'ABC'").all()).to.deep.equal([{ RECID: 1 }]);
    });
  });

  describe('a generated column', () => {
    const GEN = `CREATE TABLE T (RECID INTEGER PRIMARY KEY, NAME TEXT NOT NULL, A INT, B INT, LABEL TEXT GENERATED ALWAYS AS (NAME || '-' || A) VIRTUAL)`;
    it('in both: nothing to do', async () => expect((await sync([GEN], [GEN])).plan.actions).to.deep.equal([]));
    it('target only: added, and computed for the copied rows', async () => {
      const { plan, copied } = await sync([GEN], [BASE]);
      expect(kinds(plan)).to.deep.equal(['add-column']);
      expect(copied.prepare('SELECT LABEL FROM T ORDER BY RECID').all()).to.deep.equal([{ LABEL: 'Alpha-1' }, { LABEL: 'beta-0' }, { LABEL: 'Gamma-2' }]);
    });
    it('in both with another expression: recomputed under the target one', async () => {
      const { plan, copied } = await sync([GEN], [GEN.replace(`(NAME || '-' || A)`, `(upper(NAME))`)]);
      expect(kinds(plan)).to.deep.equal(['drop-column', 'add-column']);
      expect(copied.prepare('SELECT LABEL FROM T WHERE RECID = 3').get()).to.deep.equal({ LABEL: 'Gamma-2' });
    });
    it('source only: kept, like any column the target does not define', async () => {
      const { plan } = await sync([BASE], [GEN]);
      expect(plan.actions).to.deep.equal([]);
      expect(plan.kept).to.deep.equal(['T.LABEL']);
    });
    it('a STORED one the target adds to a table with rows: refused by SQLite, named', async () => {
      const err = await refused([GEN.replace('VIRTUAL', 'STORED')], [BASE]);
      expect(err.message).to.match(/table T, column LABEL: SYNC could not add-column T\.LABEL: the database refused it \(cannot add a STORED column\)/);
    });
    it('computed in the target, stored values in the data: refused', async () => {
      const err = await refused([GEN], [`CREATE TABLE T (RECID INTEGER PRIMARY KEY, NAME TEXT NOT NULL, A INT, B INT, LABEL TEXT)`]);
      expect(err.message).to.match(/table T, column LABEL: the target computes it/);
    });
  });

  describe('a view', () => {
    const VIEW = 'CREATE VIEW V_ACTIVE AS SELECT RECID, NAME FROM T WHERE A > 0';
    it('in both: nothing to do', async () => expect((await sync([BASE, VIEW], [BASE, VIEW])).plan.actions).to.deep.equal([]));
    it('target only: created', async () => {
      const { copied } = await sync([BASE, VIEW], [BASE]);
      expect(copied.prepare('SELECT NAME FROM V_ACTIVE ORDER BY RECID').all()).to.deep.equal([{ NAME: 'Alpha' }, { NAME: 'Gamma' }]);
    });
    it('source only: dropped (views are code, and follow the target)', async () => {
      const { plan, after } = await sync([BASE], [BASE, VIEW]);
      expect(kinds(plan)).to.deep.equal(['drop-view']);
      expect(after.views).to.deep.equal([]);
    });
    it('in both, different: replaced', async () => {
      const { copied } = await sync([BASE, VIEW], [BASE, 'CREATE VIEW V_ACTIVE AS SELECT RECID, NAME FROM T']);
      expect(copied.prepare('SELECT COUNT(*) AS n FROM V_ACTIVE').get()).to.deep.equal({ n: 2 });
    });
    it('over a column the data lacks: refused naming the view', async () => {
      const copied = database([BASE]);
      const plan = planSchemaSync(introspectSqlite(database([BASE, 'CREATE VIEW V_X AS SELECT MISSING FROM T'], [])), introspectSqlite(copied), sqliteDialect);
      const err = await applyTo(copied, plan).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(SchemaIncompatibleError);
      expect((err as Error).message).to.match(/view V_X: SYNC could not create-view V_X: the database refused it \(no such column: MISSING\)/);
      expect(introspectSqlite(copied).views, 'the unreadable view is not left for a retry to take as done').to.deep.equal([]);
    });
  });

  describe('a trigger', () => {
    const LOG = 'CREATE TABLE AUDIT (ID INTEGER PRIMARY KEY, WHAT TEXT)';
    const TRIGGER = "CREATE TRIGGER TR_T_INSERT AFTER INSERT ON T BEGIN INSERT INTO AUDIT (WHAT) VALUES ('inserted ' || new.NAME); END";
    it('in both: nothing to do', async () => expect((await sync([BASE, LOG, TRIGGER], [BASE, LOG, TRIGGER])).plan.actions).to.deep.equal([]));
    it('target only: created, and it fires', async () => {
      const { copied } = await sync([BASE, LOG, TRIGGER], [BASE, LOG]);
      copied.prepare("INSERT INTO T (RECID, NAME, A, B) VALUES (7, 'Eta', 1, 1)").run();
      expect(copied.prepare('SELECT WHAT FROM AUDIT').all()).to.deep.equal([{ WHAT: 'inserted Eta' }]);
    });
    it('source only: dropped', async () => {
      const { plan, copied } = await sync([BASE, LOG], [BASE, LOG, TRIGGER]);
      expect(kinds(plan)).to.deep.equal(['drop-trigger']);
      const logged = copied.prepare('SELECT COUNT(*) AS n FROM AUDIT').get();
      copied.prepare("INSERT INTO T (RECID, NAME, A, B) VALUES (7, 'Eta', 1, 1)").run();
      expect(copied.prepare('SELECT COUNT(*) AS n FROM AUDIT').get(), 'it no longer fires').to.deep.equal(logged);
    });
    it('in both, different: replaced', async () => {
      const { plan } = await sync([BASE, LOG, TRIGGER], [BASE, LOG, TRIGGER.replace('inserted ', 'new ')]);
      expect(kinds(plan)).to.deep.equal(['drop-trigger', 'create-trigger']);
    });
  });

  it('text written for SQL Server is not run on SQLite: refused naming each object', async () => {
    const target: SchemaDefinition = {
      dialect: 'tsql',
      tables: [
        {
          name: 'T',
          columns: [
            { name: 'RECID', type: 'INTEGER', notNull: true, primaryKey: true },
            { name: 'NAME', type: 'TEXT', notNull: true },
            { name: 'A', type: 'INT', notNull: false },
            { name: 'B', type: 'INT', notNull: false },
          ],
          indexes: [{ name: 'IX_F', table: 'T', columns: ['A'], unique: false, where: '([A]>(0))' }],
        },
      ],
      views: [{ name: 'V_T', sql: 'CREATE VIEW [dbo].[V_T] AS SELECT TOP 10 [NAME] FROM [T]' }],
    };
    const copied = database([BASE]);
    const plan = planSchemaSync(target, introspectSqlite(copied), sqliteDialect);
    expect(plan.incompatibilities.map((i) => i.object)).to.deep.equal(['index IX_F', 'view V_T']);
    const err = await applyTo(copied, plan).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/table T, index IX_F: its filter is written for SQL Server and the copied data is in SQLite/);
  });
});

describe('SYNC in a refresh: the target customisation adds every kind of object, and prod and uat share an expression index', function () {
  this.timeout(120_000);
  it('completes, and uat holds its objects over the copied data', async () => {
    const { estate, worker } = await estateWithWorker(3000, 'schema-sync');
    const prod = estate.database('prod');
    const uat = estate.database('uat');
    const shared = 'CREATE INDEX I_DIRPARTYLOWERNAME ON DIRPARTYTABLE (lower(NAME))';
    mutate(prod, shared);
    for (const sql of [
      shared,
      'CREATE INDEX I_CONTOSOOPENJOBS ON BATCHJOB (CAPTION) WHERE STATUS <> 4',
      "ALTER TABLE VENDTABLE ADD COLUMN CONTOSODISPLAY TEXT GENERATED ALWAYS AS (ACCOUNTNUM || ' ' || VENDGROUP) VIRTUAL",
      'CREATE UNIQUE INDEX I_CONTOSOPARTYNUMBER ON DIRPARTYTABLE (PARTYNUMBER COLLATE NOCASE)',
      'CREATE VIEW ContosoActiveUsers AS SELECT ID, NAME FROM USERINFO WHERE ENABLE = 1',
      "CREATE TRIGGER ContosoVendAudit AFTER UPDATE OF VENDGROUP ON VENDTABLE BEGIN INSERT INTO CONTOSOINTEGRATIONLOG (MESSAGE, CREATEDDATETIME) VALUES ('vendor regrouped ' || new.ACCOUNTNUM, datetime('now')); END",
    ])
      mutate(uat, sql);
    const business = tableChecksums(prod, ['CUSTTABLE', 'GENERALJOURNALACCOUNTENTRY']);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(status.phase, status.failure?.message).to.equal('AWAITING_SIGNOFF');
      expect(status.steps.find((s) => s.name === 'SYNC')?.summary).to.match(/1 view created; 1 trigger created/);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    const db = openSqlite(uat, 'read-only');
    try {
      const schema = introspectSqlite(db);
      const names = schema.tables.flatMap((t) => t.indexes.map((i) => i.name));
      expect(names).to.include.members(['I_DIRPARTYLOWERNAME', 'I_CONTOSOOPENJOBS', 'I_CONTOSOPARTYNUMBER', 'I_CONTOSOVENDGROUPIDX']);
      expect(schema.views?.map((v) => v.name)).to.deep.equal(['ContosoActiveUsers']);
      expect(schema.triggers?.map((t) => t.name)).to.deep.equal(['ContosoVendAudit']);
    } finally {
      db.close();
    }
    expect(query(uat, 'SELECT CONTOSODISPLAY AS d FROM VENDTABLE WHERE RECID = 1')).to.deep.equal([
      { d: query<{ a: string }>(prod, "SELECT ACCOUNTNUM || ' ' || VENDGROUP AS a FROM VENDTABLE WHERE RECID = 1")[0].a },
    ]);
    expect(query(uat, 'SELECT ID FROM ContosoActiveUsers ORDER BY ID')).to.deep.equal(query(uat, 'SELECT ID FROM USERINFO WHERE ENABLE = 1 ORDER BY ID'));
    expect(query(uat, 'SELECT COUNT(*) AS n FROM ContosoActiveUsers')[0]).to.not.deep.equal({ n: 0 });
    mutate(uat, "UPDATE VENDTABLE SET VENDGROUP = 'CONTOSO' WHERE RECID = 1");
    expect(query(uat, "SELECT COUNT(*) AS n FROM CONTOSOINTEGRATIONLOG WHERE MESSAGE LIKE 'vendor regrouped %'"), 'the trigger fires in uat').to.deep.equal([
      { n: 1 },
    ]);
    expect(tableChecksums(uat, ['GENERALJOURNALACCOUNTENTRY']).GENERALJOURNALACCOUNTENTRY).to.deep.equal(business.GENERALJOURNALACCOUNTENTRY);
  });
});
