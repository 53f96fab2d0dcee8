import { expect } from 'chai';
import { WorkflowFailedError } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import type { RestoreWindow } from '../engines/port';
import type { OperationStatus } from '../workflows/types';
import { runCli, writeTemporalConfig } from './support/cli';
import { fileSha256, mutate, query, tableChecksums, TestEstate } from './support/estate';
import { estateWithWorker } from './support/fixture';
import { startKind, startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import type { TestWorker } from './support/worker';

/**
 * Point-in-time restore tells the truth: it returns exactly the state at the time asked, or it
 * refuses before anything starts (exit code 2, naming what can be restored and how to accept
 * the nearest), and the status, the log and the result always name the time whose state was
 * restored. The embedded engine proves a restore point's state for a whole span of time when
 * it saw the database unchanged across it (the same checksum at both ends).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signedOff(handle: Awaited<ReturnType<typeof startKind>>): Promise<OperationStatus> {
  const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
  expect(status.phase, JSON.stringify(status.failure ?? status.checks.filter((c) => !c.ok))).to.equal('AWAITING_SIGNOFF');
  await decide(handle, 'sign-off', { by: 'tester' });
  await handle.result();
  return getStatus(testServer().client, handle);
}

describe('point-in-time restore returns exactly the time asked, or refuses', function () {
  this.timeout(180_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(3000, 'restore-exact'));
    writeTemporalConfig(estate, worker.taskQueue);
  });

  const window = async (env: string): Promise<RestoreWindow> => {
    const run = await runCli(estate, ['restore-points', env, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as RestoreWindow;
  };

  it('a time between two changes made after the last restore point is refused (exit 2, nothing started); --nearest restores the named earlier state', async () => {
    const uat = estate.database('uat');
    const beforeRefresh = tableChecksums(uat);
    await worker.run(async () => {
      const refresh = await signedOff(await startRefresh(worker));
      // Users change uat twice after its last restore point (the refresh's marker).
      await sleep(20);
      mutate(uat, "INSERT INTO ContosoIntegrationLog (RECID, MESSAGE) VALUES (101, 'change at t1')");
      await sleep(20);
      const between = new Date().toISOString();
      await sleep(20);
      mutate(uat, "INSERT INTO ContosoIntegrationLog (RECID, MESSAGE) VALUES (102, 'change at t2')");
      const atT2 = fileSha256(uat);

      const points = (await window('uat')).points;
      expect(points.map((p) => p.at)).to.deep.equal([refresh.marker!.at]);
      expect(points[0].exactUntil, 'the marker is proven only for its own moment: the refresh replaced uat right after').to.equal(refresh.marker!.at);

      const refusedRun = await runCli(estate, ['restore', '--target', 'uat', '--to', between]);
      expect(refusedRun.code, refusedRun.stderr).to.equal(2);
      expect(refusedRun.stderr).to.match(new RegExp(`uat cannot be restored to exactly ${between.replace(/[.]/g, '\\.')}`));
      expect(refusedRun.stderr, 'it names the restorable points').to.include(points[0].id);
      expect(refusedRun.stderr, 'and how to accept the nearest').to.match(/--nearest/);
      expect(fileSha256(uat), 'nothing was started').to.equal(atT2);
      // The namespace is shared by every test file: only restores started since this test's refresh count.
      const listed = await runCli(estate, ['list', '--all', '--json']);
      const since = Date.parse(refresh.startedAt);
      expect(
        JSON.parse(listed.stdout).filter((o: { kind: string; startedAt: string }) => o.kind === 'restore' && Date.parse(o.startedAt) >= since),
      ).to.deep.equal([]);

      // A caller that bypasses the command line meets the same rule in PRECHECK.
      const bypass = await startKind(worker, 'restore', { target: 'uat', to: between });
      expect(await bypass.result().catch((e: unknown) => e)).to.be.instanceOf(WorkflowFailedError);
      const refused = await getStatus(testServer().client, bypass);
      expect(refused.phase).to.equal('REFUSED');
      expect(refused.checks.find((c) => c.name === 'restore-time')?.message).to.match(/cannot be restored to exactly/);
      expect(fileSha256(uat)).to.equal(atT2);

      // --nearest accepts the latest state before it that can be restored exactly, and says which.
      const nearest = await runCli(estate, ['restore', '--target', 'uat', '--to', between, '--nearest', '--wait', '--json']);
      expect(nearest.code, nearest.stderr).to.equal(0);
      const status = JSON.parse(nearest.stdout);
      expect(status.phase).to.equal('AWAITING_SIGNOFF');
      expect(status.restored).to.deep.equal({ requested: between, stateAt: refresh.marker!.at, exact: false, restorePoint: points[0].id });
      const text = await runCli(estate, ['status', 'uat']);
      expect(text.stdout).to.include(`restored: uat's state at ${refresh.marker!.at} (the nearest restorable state before ${between}, as accepted)`);
      const logs = await runCli(estate, ['logs', 'uat']);
      expect(logs.stdout).to.include(`Restoring uat to its state at ${refresh.marker!.at}, the nearest restorable state before the ${between} asked`);
      const afterRestore = tableChecksums(uat);
      for (const table of Object.keys(beforeRefresh).filter((t) => t !== 'SQLSYSTEMVARIABLES'))
        expect(afterRestore[table], table).to.deep.equal(beforeRefresh[table]);
      expect((await runCli(estate, ['sign-off', 'uat', '--json'])).code).to.equal(0);
    });
    // The restore's own marker holds the state after t2; it is proven for its own moment only.
    const after = (await window('uat')).points;
    expect(after).to.have.length(2);
    expect(after[1].exactFrom).to.equal(after[1].at);
  });

  it('a time between a swap and the next restore point, with nothing changed in between, is restored exactly', async () => {
    const uat = estate.database('uat');
    await worker.run(async () => {
      const refresh = await signedOff(await startRefresh(worker));
      const refreshed = tableChecksums(uat);
      await sleep(30);
      const quiet = new Date().toISOString();
      await sleep(30);
      // The next operation's MARKER sees uat unchanged since the swap: its restore point holds
      // the state of that whole span. Restoring it back to before the refresh first:
      const back = await signedOff(await startKind(worker, 'restore', { target: 'uat', to: refresh.marker!.at }));
      expect(back.restored).to.deep.include({ requested: refresh.marker!.at, stateAt: refresh.marker!.at, exact: true });
      const second = (await window('uat')).points.find((p) => p.at === back.marker!.at)!;
      expect(Date.parse(second.exactFrom!), 'proven from the swap').to.be.lessThan(Date.parse(quiet));
      expect(Date.parse(second.exactUntil!)).to.equal(Date.parse(second.at));

      const run = await runCli(estate, ['restore', '--target', 'uat', '--to', quiet, '--wait', '--json']);
      expect(run.code, run.stderr).to.equal(0);
      const status = JSON.parse(run.stdout);
      expect(status.restored).to.deep.equal({ requested: quiet, stateAt: quiet, exact: true, restorePoint: second.id });
      const now = tableChecksums(uat);
      for (const table of Object.keys(refreshed).filter((t) => t !== 'SQLSYSTEMVARIABLES')) expect(now[table], table).to.deep.equal(refreshed[table]);
      expect(query(uat, 'SELECT COUNT(*) AS n FROM BatchJobHistory')).to.deep.equal([{ n: 0 }]);
      expect((await runCli(estate, ['sign-off', 'uat', '--json'])).code).to.equal(0);
    });
  });

  it('a restore point named by its id is restored, and a name that is neither a time nor a point is refused', async () => {
    await worker.run(async () => {
      await signedOff(await startRefresh(worker));
      const [point] = (await window('uat')).points;
      const bad = await runCli(estate, ['restore', '--target', 'uat', '--to', 'last-tuesday']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/is not a time: .* nor is it a restore point of uat/);
      const run = await runCli(estate, ['restore', '--target', 'uat', '--to', point.id, '--wait', '--json']);
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout).restored).to.deep.equal({ requested: point.at, stateAt: point.at, exact: true, restorePoint: point.id });
      expect((await runCli(estate, ['sign-off', 'uat', '--json'])).code).to.equal(0);
    });
  });
});
