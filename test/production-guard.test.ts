import { expect } from 'chai';
import type { WorkflowHandle } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import { testServer } from './support/server';
import type { OperationStatus } from '../workflows/types';
import { createTestEstate, fileSha256, TestEstate } from './support/estate';
import { startKind, startRefresh, waitForPhase, waitUntil } from './support/operations';
import { createTestWorker } from './support/worker';

/**
 * Production is never a target, even when the catalog changes under a running operation:
 * SWAP, NOTIFY's broadcast, both kinds of RESTORE and a rollback's restore re-read the catalog
 * and the live database's own identity (the local engine's identity record of the file, never an F&O row) at the
 * moment of use. Each case parks an operation in FAILED with an injected fault, edits the
 * catalog the way an accident (or an attacker with write access to it) would, retries, and
 * checks that the step refused and that prod is byte for byte what it was.
 */

type Edit = (catalog: any, estate: TestEstate) => void;

const EDITS: [string, Edit, RegExp][] = [
  [
    'the catalog now lists the target as production',
    (c) => (c.environments.find((e: any) => e.name === 'uat').type = 'production'),
    /catalog now lists uat as a production environment/,
  ],
  [
    "the target's database path now points at production's file",
    (c, estate) => (c.environments.find((e: any) => e.name === 'uat').database.path = estate.database('prod')),
    /database behind uat says it is the production environment "prod"/,
  ],
  [
    "the target's database path now points at another sandbox's file",
    (c, estate) => (c.environments.find((e: any) => e.name === 'uat').database.path = estate.database('train')),
    /database behind uat belongs to "train"/,
  ],
];

describe('production is never a target, even with the catalog edited mid-operation', function () {
  this.timeout(180_000);
  let estate: TestEstate;
  let original: string;
  let paths: Record<string, string>;
  // The real files, resolved once: the catalog is edited to point elsewhere during the tests.
  const files = () => Object.fromEntries(Object.entries(paths).map(([e, file]) => [e, fileSha256(file)]));

  beforeEach(() => {
    estate = createTestEstate(1500, 'prodguard');
    original = JSON.stringify(estate.catalog());
    paths = Object.fromEntries(['prod', 'uat', 'train'].map((e) => [e, estate.database(e)]));
  });

  const restoreCatalog = () =>
    estate.editCatalog((c) => {
      const fresh = JSON.parse(original);
      c.environments = fresh.environments.map((e: any) => ({ ...e, database: { path: e.database.path } }));
    });

  async function parkedThenRetried(handle: WorkflowHandle, failedIn: string, edit: Edit): Promise<OperationStatus> {
    const parked = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF', 'REFUSED']);
    expect(parked.phase, JSON.stringify(parked.logs.slice(-4))).to.equal('FAILED');
    expect(parked.failure?.step).to.equal(failedIn);
    estate.editCatalog((c) => edit(c, estate));
    await decide(handle, 'retry', { by: 'tester' });
    // The injected fault fired once; the retried step now meets the guard.
    return waitUntil(handle, (s) => s.phase === 'AWAITING_SIGNOFF' || (s.phase === 'FAILED' && s.failure?.type !== 'InjectedFault'));
  }

  async function rollBackAndClose(handle: WorkflowHandle): Promise<void> {
    restoreCatalog();
    await decide(handle, 'rollback', { by: 'tester' });
    expect((await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED'])).phase).to.equal('ROLLED_BACK');
    await decide(handle, 'sign-off', { by: 'tester' });
    await handle.result();
  }

  it("SWAP refuses a refresh whose target became production (by catalog type, by database path, or another environment's file); prod is byte-identical", async () => {
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'NOTIFY=fail-once' });
    await worker.run(async () => {
      for (const [title, edit, refusal] of EDITS) {
        const before = files();
        const handle = await startRefresh(worker);
        const status = await parkedThenRetried(handle, 'NOTIFY', edit);
        expect(status.phase, title).to.equal('FAILED');
        expect(status.failure?.step, title).to.equal('SWAP');
        expect(status.failure?.type, title).to.equal('SafetyCheckFailed');
        expect(status.failure?.message, title).to.match(refusal);
        expect(files(), `${title}: no database changed`).to.deep.equal(before);
        await rollBackAndClose(handle);
        expect(files(), `${title}: rollback changed nothing either`).to.deep.equal(before);
      }
    });
  });

  it("MARKER refuses to take a restore point of production's file under a sandbox's name", async () => {
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'MARKER=fail-once' });
    await worker.run(async () => {
      const before = files();
      const handle = await startRefresh(worker);
      const status = await parkedThenRetried(handle, 'MARKER', EDITS[1][1]);
      expect(status.phase).to.equal('FAILED');
      expect(status.failure?.step).to.equal('MARKER');
      expect(status.failure?.message).to.match(/MARKER refused: the database behind uat says it is the production environment "prod"/);
      expect(files()).to.deep.equal(before);
      await rollBackAndClose(handle);
    });
  });

  it('a rollback after SWAP refuses to restore over a target the catalog now calls production, then completes once the catalog is corrected', async () => {
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      expect((await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
      const before = files();
      estate.editCatalog((c) => EDITS[0][1](c, estate));
      await decide(handle, 'rollback', { by: 'tester' });
      const stuck = await waitForPhase(handle, ['ROLLBACK_FAILED', 'ROLLED_BACK']);
      expect(stuck.phase).to.equal('ROLLBACK_FAILED');
      expect(stuck.failure?.message).to.match(/Rollback refused: the catalog now lists uat as a production environment/);
      expect(files()).to.deep.equal(before);
      restoreCatalog();
      await decide(handle, 'retry', { by: 'tester' });
      expect((await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED'])).phase).to.equal('ROLLED_BACK');
      expect(fileSha256(estate.database('prod'))).to.equal(before.prod);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it("point-in-time restore and import refuse at RESTORE and at SWAP when the target's path is redirected to production", async () => {
    const backup = `${estate.home}/prod.dbmove`;
    const plain = await createTestWorker(estate);
    let restorePoint = '';
    // A restore point of uat and a backup of prod to work with.
    await plain.run(async () => {
      const refresh = await startRefresh(plain, { autoSignOff: true });
      await refresh.result();
      restorePoint = (await getStatus(testServer().client, refresh)).marker!.at;
      const exported = await startKind(plain, 'export', { source: 'prod', output: backup });
      await waitForPhase(exported, ['AWAITING_SIGNOFF']);
      await decide(exported, 'sign-off', { by: 'tester' });
      await exported.result();
    });
    const toProd = EDITS[1][1];
    const backupSha = fileSha256(backup);
    for (const [faultAt, refusedIn] of [
      ['RESTORE', 'RESTORE'],
      ['NOTIFY', 'SWAP'],
    ] as const) {
      const worker = await createTestWorker(estate, { DBMOVE_FAULTS: `${faultAt}=fail-once` });
      await worker.run(async () => {
        for (const kind of ['restore', 'import'] as const) {
          restoreCatalog();
          const before = files();
          const input = kind === 'restore' ? { target: 'uat', to: restorePoint } : { target: 'uat', input: backup };
          const handle = await startKind(worker, kind, input);
          const status = await parkedThenRetried(handle, faultAt, toProd);
          const what = `${kind}, fault at ${faultAt}`;
          expect(status.phase, what).to.equal('FAILED');
          expect(status.failure?.step, what).to.equal(refusedIn);
          expect(status.failure?.message, what).to.match(
            new RegExp(`${refusedIn} refused: the database behind uat says it is the production environment "prod"`),
          );
          expect(files(), `${what}: no database changed`).to.deep.equal(before);
          expect(fileSha256(backup), `${what}: the backup file was only read`).to.equal(backupSha);
          await rollBackAndClose(handle);
          expect(files(), `${what}: after rollback`).to.deep.equal(before);
        }
      });
    }
  });
});
