import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowHandle } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import type { OperationStatus, StepName } from '../workflows/types';
import { leaseWorkflowId } from '../workflows/lease-id';
import { runCli, writeTemporalConfig } from './support/cli';
import { createTestEstate, fileSha256, query, tableChecksums, type TestEstate } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { startKind, startRefresh, waitForPhase, waitUntil } from './support/operations';
import { testServer } from './support/server';
import { createTestWorker, type TestWorker } from './support/worker';

/**
 * `dbmove cancel` in every phase, one phase at a time, with the step caught at work
 * (DBMOVE_FAULTS=<STEP>=pause holds it, heartbeating, at its midpoint or start): the command
 * returns, the operation ends CANCELLED with the phase it was cancelled in, nothing of it is
 * left on disk or in the target (the downtime notice included), and its lease is released.
 * During SWAP the cancel is refused with the reason, and the operation goes on.
 */
const FAST = { initialInterval: '100ms', maximumAttempts: 2, heartbeatTimeout: '3s' } as const;

async function cancelWithCli(estate: TestEstate, worker: TestWorker, handle: WorkflowHandle) {
  writeTemporalConfig(estate, worker.taskQueue);
  const started = Date.now();
  const run = await Promise.race([
    runCli(estate, ['cancel', handle.workflowId]),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('dbmove cancel did not return within 45 s')), 45_000)),
  ]);
  return { ...run, ms: Date.now() - started };
}

async function leaseRunning(environment: string, taskQueue: string): Promise<boolean> {
  try {
    return (await testServer().client.workflow.getHandle(leaseWorkflowId(environment, taskQueue)).describe()).status.name === 'RUNNING';
  } catch {
    return false;
  }
}

function everythingOf(estate: TestEstate): Record<string, unknown> {
  return { uat: tableChecksums(estate.database('uat')), prod: fileSha256(estate.database('prod')) };
}

describe('cancel in every phase of a refresh: the command returns, CANCELLED with the phase, nothing left, lease released', function () {
  this.timeout(120_000);

  const phases: StepName[] = ['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY'];
  for (const phase of phases) {
    it(`cancel during ${phase}`, async () => {
      const estate = createTestEstate(1000, `cancel-${phase.toLowerCase()}`);
      // NOTIFY is caught in its lead time, after the notice went into uat; the others by the fault.
      estate.editCatalog((c) => {
        c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: phase === 'NOTIFY' ? '60s' : '0s' };
      });
      const before = everythingOf(estate);
      const notices = (query(estate.database('uat'), 'SELECT COUNT(*) AS n FROM SYSBROADCASTMESSAGE')[0] as { n: number }).n;
      const worker = await createTestWorker(estate, phase === 'NOTIFY' ? {} : { DBMOVE_FAULTS: `${phase}=pause` });
      await worker.run(async () => {
        const handle = await startRefresh(worker, { tuning: FAST });
        await waitUntil(handle, (s) => s.phase === phase && s.steps.find((t) => t.name === phase)?.status === (phase === 'NOTIFY' ? 'completed' : 'running'));
        if (phase === 'COPY') {
          // Caught halfway: the partial copy is on disk when the cancel comes.
          await waitUntil(handle, () => filesOnDisk(estate, 'uat', handle.workflowId).staging.some((f) => f.endsWith('.partial')));
        }
        if (phase === 'NOTIFY')
          expect(query(estate.database('uat'), 'SELECT COUNT(*) AS n FROM SYSBROADCASTMESSAGE')[0], 'the notice is in uat').to.deep.equal({ n: notices + 1 });
        const cli = await cancelWithCli(estate, worker, handle);
        expect(cli.code, cli.stdout + cli.stderr).to.equal(0);
        const status: OperationStatus = await getStatus(testServer().client, handle);
        expect(status.phase).to.equal('CANCELLED');
        expect(status.cancelled?.phase).to.equal(phase);
        expect(status.decisions.find((d) => d.kind === 'cancel')).to.include({ accepted: true });
        expect(status.holdings).to.deep.equal([]);
        expect(filesOnDisk(estate, 'uat', handle.workflowId)).to.deep.equal({ staging: [], restorePoints: [], journal: [], history: [] });
        expect(await leaseRunning('uat', worker.taskQueue), 'the lease on uat is released').to.equal(false);
        // Give a step that was still running a moment: nothing re-creates what the cancel removed.
        await new Promise((r) => setTimeout(r, 1_000));
        expect(filesOnDisk(estate, 'uat', handle.workflowId).staging).to.deep.equal([]);
      });
      expect(everythingOf(estate), 'uat (the notice withdrawn) and prod exactly as before').to.deep.equal(before);
    });
  }

  it('cancel during SWAP is refused with the reason; the swap completes and rollback stays available', async () => {
    const estate = createTestEstate(1000, 'cancel-swap');
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'SWAP=pause' });
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitUntil(handle, (s) => s.phase === 'SWAP');
      const cli = await cancelWithCli(estate, worker, handle);
      expect(cli.code).to.equal(1);
      expect(cli.stderr).to.match(/Cancellation refused: SWAP was under way/);
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(status.phase).to.equal('AWAITING_SIGNOFF');
      expect(status.decisions.find((d) => d.kind === 'cancel')).to.include({
        accepted: false,
        reason: 'SWAP was under way: the target may already be replaced',
      });
      expect(
        status.logs.some((l) => /Cancellation refused: SWAP of uat was under way\. Once it ends, roll back instead: dbmove rollback/.test(l.message)),
      ).to.equal(true);
      await decide(handle, 'rollback', { by: 'tester' });
      expect((await waitForPhase(handle, ['ROLLED_BACK'])).phase).to.equal('ROLLED_BACK');
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });
});

describe('cancel during the export, import and restore steps of their own', function () {
  this.timeout(120_000);

  it('export: cancel during PACKAGE leaves no backup and no temporary copy; prod untouched', async () => {
    const estate = createTestEstate(1000, 'cancel-export');
    const output = path.join(estate.home, 'prod.dbmove');
    const prod = fileSha256(estate.database('prod'));
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'PACKAGE=pause' });
    await worker.run(async () => {
      const handle = await startKind(worker, 'export', { source: 'prod', output, tuning: FAST });
      await waitUntil(handle, (s) => s.phase === 'PACKAGE');
      const cli = await cancelWithCli(estate, worker, handle);
      expect(cli.code, cli.stderr).to.equal(0);
      const status = await getStatus(testServer().client, handle);
      expect(status).to.deep.include({ phase: 'CANCELLED' });
      expect(status.cancelled?.phase).to.equal('PACKAGE');
      expect(fs.existsSync(output) || fs.existsSync(`${output}.partial`)).to.equal(false);
      expect(filesOnDisk(estate, 'prod', handle.workflowId).staging).to.deep.equal([]);
    });
    expect(fileSha256(estate.database('prod'))).to.equal(prod);
  });

  it('import: cancel during RESTORE leaves train as it was and releases it', async () => {
    const estate = createTestEstate(1000, 'cancel-import');
    const output = path.join(estate.home, 'prod.dbmove');
    const plain = await createTestWorker(estate);
    await plain.run(async () => {
      const exported = await startKind(plain, 'export', { source: 'prod', output, tuning: FAST });
      await waitForPhase(exported, ['AWAITING_SIGNOFF']);
      await decide(exported, 'sign-off', { by: 'tester' });
      await exported.result();
    });
    const train = tableChecksums(estate.database('train'));
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'RESTORE=pause' });
    await worker.run(async () => {
      const handle = await startKind(worker, 'import', { input: output, target: 'train', tuning: FAST });
      await waitUntil(handle, (s) => s.phase === 'RESTORE');
      const cli = await cancelWithCli(estate, worker, handle);
      expect(cli.code, cli.stderr).to.equal(0);
      const status = await getStatus(testServer().client, handle);
      expect(status.phase).to.equal('CANCELLED');
      expect(status.cancelled?.phase).to.equal('RESTORE');
      expect(filesOnDisk(estate, 'train', handle.workflowId)).to.deep.equal({ staging: [], restorePoints: [], journal: [], history: [] });
      expect(await leaseRunning('train', worker.taskQueue)).to.equal(false);
    });
    expect(tableChecksums(estate.database('train'))).to.deep.equal(train);
  });

  it('point-in-time restore: cancel during RESTORE leaves uat as it was and keeps its restore points', async () => {
    const estate = createTestEstate(1000, 'cancel-restore');
    const plain = await createTestWorker(estate);
    let markerAt = '';
    await plain.run(async () => {
      const refreshed = await startRefresh(plain, { tuning: FAST });
      markerAt = (await waitForPhase(refreshed, ['AWAITING_SIGNOFF'])).marker!.at;
      await decide(refreshed, 'sign-off', { by: 'tester' });
      await refreshed.result();
    });
    const uat = tableChecksums(estate.database('uat'));
    const kept = fs.readdirSync(path.join(path.dirname(estate.database('uat')), '.dbmove', 'uat', 'history')).sort();
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'RESTORE=pause' });
    await worker.run(async () => {
      const handle = await startKind(worker, 'restore', { target: 'uat', to: markerAt, tuning: FAST });
      await waitUntil(handle, (s) => s.phase === 'RESTORE');
      const cli = await cancelWithCli(estate, worker, handle);
      expect(cli.code, cli.stderr).to.equal(0);
      const status = await getStatus(testServer().client, handle);
      expect(status.phase).to.equal('CANCELLED');
      expect(status.cancelled?.phase).to.equal('RESTORE');
      expect(filesOnDisk(estate, 'uat', handle.workflowId)).to.deep.equal({ staging: [], restorePoints: [], journal: [], history: [] });
      expect(await leaseRunning('uat', worker.taskQueue)).to.equal(false);
    });
    expect(tableChecksums(estate.database('uat'))).to.deep.equal(uat);
    expect(fs.readdirSync(path.join(path.dirname(estate.database('uat')), '.dbmove', 'uat', 'history')).sort()).to.deep.equal(kept);
  });
});
