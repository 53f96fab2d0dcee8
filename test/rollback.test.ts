import { expect } from 'chai';
import { decide, getStatus } from '../client/operations';
import type { OperationResult, OperationStatus, StepName } from '../workflows/types';
import { createTestEstate, fileSha256, query, tableChecksums, TestEstate } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import { createTestWorker } from './support/worker';
import { leaseWorkflowId } from '../workflows/lease-id';

/**
 * Every phase of a refresh made to fail by DBMOVE_FAULTS, then rolled back: the target's
 * content is what it was before the refresh, table by table, and once the rollback is signed
 * off nothing of the operation is left beside the database.
 */
const PHASES: StepName[] = ['MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'];

/** Fast failure: two attempts 100 ms apart, so a case takes about a second. */
const FAST = { initialInterval: '100ms', maximumAttempts: 2 } as const;

function snapshot(estate: TestEstate) {
  return { uat: tableChecksums(estate.database('uat')), prodFile: fileSha256(estate.database('prod')) };
}

/** The reason a validated update was refused (the validator's message travels as the cause). */
function refusal(err: Error | undefined): string {
  return String((err as { cause?: Error } | undefined)?.cause?.message ?? err?.message);
}

describe('a failed refresh rolls back to exactly the state before it, at every phase', function () {
  this.timeout(60_000);

  for (const phase of PHASES) {
    it(`${phase}=fail, then rollback`, async () => {
      const estate = createTestEstate(1000, `fail-${phase.toLowerCase()}`);
      // NOTIFY posts a downtime notice into the live target: a rollback must take it away again.
      estate.editCatalog((c) => {
        c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '0s' };
      });
      const before = snapshot(estate);
      const worker = await createTestWorker(estate, { DBMOVE_FAULTS: `${phase}=fail` });
      const { failed, rolledBack, result, closed } = await worker.run(async () => {
        const handle = await startRefresh(worker, { tuning: FAST });
        const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF', 'REFUSED']);
        await decide(handle, 'rollback', { by: 'tester', note: `${phase} failed on purpose` });
        const rolledBack = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
        await decide(handle, 'sign-off', { by: 'tester' });
        const result = (await handle.result()) as OperationResult;
        // Queried while the worker runs: a closed workflow's query is answered by replay.
        return { failed, rolledBack, result, closed: await getStatus(testServer().client, handle) };
      });

      // The gate says which step failed, why, and what each choice does.
      expect(failed.phase).to.equal('FAILED');
      expect(failed.failure?.step).to.equal(phase);
      expect(failed.failure?.type).to.equal('InjectedFault');
      expect(failed.failure?.message).to.match(new RegExp(`${phase}=fail`));
      expect(failed.failure?.choices.retry).to.contain(`dbmove retry ${failed.operationId}`);
      expect(failed.failure?.choices.rollback).to.contain(`dbmove rollback ${failed.operationId}`);
      expect(failed.steps.find((s) => s.name === phase)?.status).to.equal('failed');

      expect(rolledBack.phase, JSON.stringify(rolledBack.logs.slice(-4))).to.equal('ROLLED_BACK');
      expect(
        rolledBack.holdings.filter((h) => h.kind !== 'restore-point'),
        'staging dropped by the rollback',
      ).to.deep.equal([]);
      expect(rolledBack.rolledBack?.durationMs).to.be.a('number');
      expect(result.outcome).to.equal('rolled-back');

      // The target, table by table, is as it was; the source was never written.
      expect(snapshot(estate)).to.deep.equal(before);
      // Sign-off released everything: nothing in the status, nothing on disk.
      expect(closed.holdings).to.deep.equal([]);
      const files = filesOnDisk(estate, 'uat', result.operationId);
      expect({ staging: files.staging, restorePoints: files.restorePoints, journal: files.journal }).to.deep.equal({
        staging: [],
        restorePoints: [],
        journal: [],
      });
    });
  }
});

describe('rollback, retry and cancel beyond the failure gate', function () {
  this.timeout(60_000);

  it('rolls back after a successful SWAP: the target returns to its restore point, the time is recorded, and ROLLED_BACK accepts sign-off', async () => {
    const estate = createTestEstate(1000, 'rollback-after-swap');
    const before = snapshot(estate);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(awaiting.phase).to.equal('AWAITING_SIGNOFF');
      expect(tableChecksums(estate.database('uat'))).to.not.deep.equal(before.uat);
      await decide(handle, 'rollback', { by: 'tester', note: 'the refreshed data is wrong' });
      const rolledBack = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      expect(rolledBack.phase).to.equal('ROLLED_BACK');
      expect(rolledBack.rolledBack?.restoredTo).to.equal(awaiting.marker?.at);
      expect(rolledBack.rolledBack?.durationMs).to.be.a('number').and.at.least(0);
      expect(rolledBack.rolledBack?.unavailableWindowMs).to.be.a('number');
      expect(snapshot(estate)).to.deep.equal(before);
      // A second rollback is refused with the reason; sign-off closes it.
      const again = await decide(handle, 'rollback', { by: 'tester' }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refusal(again)).to.match(/already rolled back/);
      await decide(handle, 'sign-off', { by: 'tester' });
      const result = (await handle.result()) as OperationResult;
      expect(result).to.include({ outcome: 'rolled-back', phase: 'ROLLED_BACK', signedOffBy: 'tester' });
      const files = filesOnDisk(estate, 'uat', handle.workflowId);
      expect([...files.staging, ...files.restorePoints, ...files.journal]).to.deep.equal([]);
    });
    expect(snapshot(estate)).to.deep.equal(before);
  });

  it('a transient fault (SYNC=fail-once) then retry completes the refresh with correct data', async () => {
    const estate = createTestEstate(1000, 'retry');
    const source = tableChecksums(estate.database('prod'), ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY']);
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'SYNC=fail-once' });
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(failed.phase).to.equal('FAILED');
      expect(failed.failure?.step).to.equal('SYNC');
      // Rollback is not the only way: the earlier steps' work is kept and SYNC runs again.
      await decide(handle, 'retry', { by: 'tester', note: 'fixed the cause' });
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(awaiting.phase).to.equal('AWAITING_SIGNOFF');
      expect(awaiting.failure).to.equal(undefined);
      expect(awaiting.steps.find((s) => s.name === 'SYNC')).to.include({ status: 'completed', attempts: 2 });
      expect(awaiting.steps.find((s) => s.name === 'COPY')).to.include({ status: 'completed', attempts: 1 });
      await decide(handle, 'sign-off', { by: 'tester' });
      expect(((await handle.result()) as OperationResult).outcome).to.equal('completed');
    });
    const uat = estate.database('uat');
    expect(tableChecksums(uat, ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY'])).to.deep.equal(source);
    // SYNC's work is there (the target's own column), applied once.
    expect(query(uat, "SELECT COUNT(*) AS n FROM pragma_table_info('CUSTTABLE') WHERE name = 'CONTOSOLOYALTYTIER'")[0]).to.deep.equal({ n: 1 });
  });

  it('a rollback that fails (ROLLBACK=fail-once) enters ROLLBACK_FAILED with the live target usable; retry completes it', async () => {
    const estate = createTestEstate(1000, 'rollback-failed');
    const before = snapshot(estate);
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'ROLLBACK=fail-once' });
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      const swapped = tableChecksums(estate.database('uat'));
      await decide(handle, 'rollback', { by: 'tester' });
      const failed = await waitForPhase(handle, ['ROLLBACK_FAILED', 'ROLLED_BACK']);
      expect(failed.phase).to.equal('ROLLBACK_FAILED');
      expect(failed.failure?.step).to.equal('ROLLBACK');
      expect(failed.failure?.choices.retry)
        .to.match(/uat still has a usable database/)
        .and.to.contain(`dbmove retry ${handle.workflowId}`);
      // While it waits, uat is a complete, readable database (the refreshed one), not a half-restore.
      expect(tableChecksums(estate.database('uat'))).to.deep.equal(swapped);
      // Sign-off and a second rollback are refused with what to do instead.
      const signOff = await decide(handle, 'sign-off', { by: 'tester' }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refusal(signOff)).to.match(/rollback failed; retry it/);
      await decide(handle, 'retry', { by: 'tester' });
      const rolledBack = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      expect(rolledBack.phase).to.equal('ROLLED_BACK');
      expect(rolledBack.failure).to.equal(undefined);
      expect(snapshot(estate)).to.deep.equal(before);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('cancellation before SWAP removes staging and restore points and leaves the target untouched; after SWAP it is refused', async () => {
    const estate = createTestEstate(1000, 'cancel');
    const before = snapshot(estate);
    // VERIFY fails, so the operation waits in FAILED with staging and a restore point held.
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'VERIFY=fail' });
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      const failed = await waitForPhase(handle, ['FAILED']);
      expect(failed.holdings.map((h) => h.kind).sort()).to.deep.equal(['restore-point', 'staging']);
      expect(filesOnDisk(estate, 'uat', handle.workflowId).staging).to.not.deep.equal([]);
      await handle.cancel();
      const cancelled = await waitForPhase(handle, ['CANCELLED']);
      expect(cancelled.holdings).to.deep.equal([]);
      const err = await handle.result().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.name).to.equal('WorkflowFailedError');
      const files = filesOnDisk(estate, 'uat', handle.workflowId);
      expect([...files.staging, ...files.restorePoints, ...files.journal]).to.deep.equal([]);
      expect(snapshot(estate)).to.deep.equal(before);
    });

    // The cancelled operation released uat: the next refresh passes PRECHECK and swaps.
    const clean = await createTestWorker(estate);
    await clean.run(async () => {
      const handle = await startRefresh(clean, { tuning: FAST });
      await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      const swapped = tableChecksums(estate.database('uat'));
      await handle.cancel();
      const deadline = Date.now() + 10_000;
      let status: OperationStatus = await getStatus(testServer().client, handle);
      while (!status.decisions.some((d) => d.kind === 'cancel') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = await getStatus(testServer().client, handle);
      }
      const refusal = status.decisions.find((d) => d.kind === 'cancel');
      expect(refusal).to.include({ accepted: false, reason: 'the target was already swapped' });
      expect(status.logs.some((l) => /Cancellation refused: uat was already swapped\. Roll back instead: dbmove rollback/.test(l.message))).to.equal(true);
      expect(status.phase).to.equal('AWAITING_SIGNOFF');
      expect(tableChecksums(estate.database('uat'))).to.deep.equal(swapped);
      // The refused cancel left uat held by this operation: no second operation can start on it.
      const lease = await testServer().client.workflow.getHandle(leaseWorkflowId('uat', clean.taskQueue)).describe();
      expect(lease.status.name).to.equal('RUNNING');
      // Still waiting for a decision, and rollback still works.
      await decide(handle, 'rollback', { by: 'tester' });
      expect((await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED'])).phase).to.equal('ROLLED_BACK');
      expect(snapshot(estate)).to.deep.equal(before);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });
});
