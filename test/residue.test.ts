import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { decide, getStatus } from '../client/operations';
import { importBackupFile } from '../engines/local/backup-file';
import type { EngineContext } from '../engines/port';
import type { OperationStatus } from '../workflows/types';
import { describeFindings, filesUnder, plantCanaries, scanFiles, type PlantedCanaries } from './support/canaries';
import { query, TestEstate } from './support/estate';
import { estateWithWorker } from './support/fixture';
import { startKind, startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import type { TestWorker } from './support/worker';

/**
 * What is not copied stays gone, byte for byte. Canaries are planted in production in every
 * element the seeds list as not copied (and in what production itself freed long ago), then
 * every byte of every file an operation leaves behind is searched for them: the target's
 * database and its journal files, staging, the restore points that belong to the target (one
 * taken after the operation, of the state it delivered), the backup file and its decompressed
 * content. None may be found, while business data planted beside them must be.
 */

async function signedOff(handle: Awaited<ReturnType<typeof startKind>>): Promise<OperationStatus> {
  const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
  expect(status.phase, JSON.stringify(status.failure ?? status.logs.slice(-6))).to.equal('AWAITING_SIGNOFF');
  await decide(handle, 'sign-off', { by: 'tester' });
  await handle.result();
  return getStatus(testServer().client, handle);
}

const quietContext: EngineContext = {
  progress: () => {},
  saveResumeState: () => {},
  resumeState: undefined,
  signal: new AbortController().signal,
  log: () => {},
};

/** Every file under the estate except the source's own live database, which legitimately holds everything. */
function leftBehind(estate: TestEstate, except: string[] = []): string[] {
  const prod = estate.database('prod');
  const source = new Set([prod, `${prod}-wal`, `${prod}-shm`, `${prod}-journal`, ...except]);
  return filesUnder(estate.home).filter((f) => !source.has(f));
}

function expectClean(files: string[], planted: PlantedCanaries, root: string, what: string): void {
  expect(files.length, `${what}: files to scan`).to.be.greaterThan(0);
  const found = scanFiles(files, planted.scrubbed);
  expect(describeFindings(found, root), `${what}: scrubbed values found in the bytes of ${files.length} files`).to.equal('');
}

function expectKept(file: string, planted: PlantedCanaries, root: string): void {
  const found = scanFiles([file], planted.kept).map((f) => f.canary.where);
  expect(found, `business data in ${path.relative(root, file)}`).to.have.members(planted.kept.map((c) => c.where));
}

describe('no residue: what is not copied cannot be recovered from any file left behind', function () {
  this.timeout(240_000);
  let estate: TestEstate;
  let worker: TestWorker;
  let planted: PlantedCanaries;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(4000, 'residue'));
    planted = plantCanaries(estate.database('prod'));
    // The planting itself is sound: production holds every canary, live or freed.
    const prod = estate.database('prod');
    const inSource = scanFiles(
      [prod, `${prod}-wal`].filter((f) => fs.existsSync(f)),
      [...planted.scrubbed, ...planted.kept],
    ).map((f) => f.canary.where);
    expect(new Set(inSource), 'every canary is in production before the operation').to.have.keys([...planted.scrubbed, ...planted.kept].map((c) => c.where));
  });

  /** A customisation in production that copies what is deleted or changed into an audit table SCRUB does not know. */
  function auditTriggers(): void {
    const db = new Database(estate.database('prod'), { fileMustExist: true });
    try {
      db.exec('CREATE TABLE CONTOSOAUDIT (WHAT TEXT NOT NULL, RECVERSION INTEGER NOT NULL DEFAULT 1, RECID INTEGER PRIMARY KEY)');
      db.exec('CREATE TRIGGER ContosoAuditPassword AFTER DELETE ON SYSEMAILSMTPPASSWORD BEGIN INSERT INTO CONTOSOAUDIT (WHAT) VALUES (old.PASSWORD); END');
      db.exec(
        "CREATE TRIGGER ContosoAuditAddress AFTER UPDATE OF LOCATOR ON LOGISTICSELECTRONICADDRESS BEGIN INSERT INTO CONTOSOAUDIT (WHAT) VALUES ('address ' || old.LOCATOR); END",
      );
    } finally {
      db.close();
    }
  }

  it('refresh: the target, its journal files, staging and a restore point taken of the refreshed target hold none of it', async () => {
    const uat = estate.database('uat');
    auditTriggers();
    await worker.run(async () => {
      const refresh = await signedOff(await startRefresh(worker));
      expect(query(uat, "SELECT ENABLE FROM USERINFO WHERE ID = 'canaryuser'")).to.deep.equal([{ ENABLE: 0 }]);
      expect(query(uat, 'SELECT COUNT(*) AS n FROM ContosoAudit'), "production's audit triggers did not fire during SCRUB").to.deep.equal([{ n: 0 }]);
      expectKept(uat, planted, estate.home);
      expectClean(leftBehind(estate), planted, estate.home, 'after the refresh');
      // The next operation on uat takes a restore point of the refreshed state and keeps it.
      await signedOff(await startKind(worker, 'restore', { target: 'uat', to: refresh.marker!.at }));
    });
    const history = filesUnder(path.join(path.dirname(uat), '.dbmove', 'uat', 'history'));
    expect(
      history.filter((f) => f.endsWith('.sqlite')),
      'restore points kept for uat',
    ).to.have.length(2);
    expectClean(leftBehind(estate), planted, estate.home, 'after a restore point of the refreshed uat was taken');
  });

  it('export and import: the backup file, its decompressed content, the imported target and its restore points hold none of it', async () => {
    const backup = path.join(estate.home, 'prod.dbmove');
    const train = estate.database('train');
    auditTriggers();
    await worker.run(async () => {
      await signedOff(await startKind(worker, 'export', { source: 'prod', output: backup }));
      const content = path.join(estate.home, 'decompressed', 'prod-backup.sqlite');
      await importBackupFile(backup, content, quietContext);
      expectKept(content, planted, estate.home);
      expect(query(content, 'SELECT COUNT(*) AS n FROM ContosoAudit')).to.deep.equal([{ n: 0 }]);
      expect(
        query<{ name: string }>(content, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").map((t) => t.name),
        "the source's triggers travel in the backup",
      ).to.deep.equal(['ContosoAuditAddress', 'ContosoAuditPassword']);
      expectClean([backup, content], planted, estate.home, 'the backup file and its content');
      fs.rmSync(path.dirname(content), { recursive: true });
      expectClean(leftBehind(estate, [backup]), planted, estate.home, 'after the export');

      const imported = await signedOff(await startKind(worker, 'import', { input: backup, target: 'train' }));
      expectKept(train, planted, estate.home);
      expectClean(leftBehind(estate), planted, estate.home, 'after the import');
      await signedOff(await startKind(worker, 'restore', { target: 'train', to: imported.marker!.at }));
    });
    expectClean(leftBehind(estate), planted, estate.home, 'after a restore point of the imported train was taken');
  });
});
