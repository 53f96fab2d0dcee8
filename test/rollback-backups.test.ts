import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide } from '../client/operations';
import type { OperationResult, StepName } from '../workflows/types';
import { createTestEstate, fileSha256, tableChecksums, type TestEstate } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { startKind, startRefresh, waitForPhase } from './support/operations';
import { createTestWorker } from './support/worker';

/**
 * What test/rollback.test.ts proves for refresh, for export, import and point-in-time restore:
 * every phase made to fail (DBMOVE_FAULTS), then rolled back and signed off, leaves the target
 * (or, for an export, the source and the output folder) exactly as before, and nothing of the
 * operation on disk.
 */
const FAST = { initialInterval: '100ms', maximumAttempts: 2 } as const;

async function failThenRollBack(handle: Awaited<ReturnType<typeof startKind>>, phase: StepName): Promise<OperationResult> {
  const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF', 'REFUSED']);
  expect(failed.phase, JSON.stringify(failed.logs.slice(-3))).to.equal('FAILED');
  expect(failed.failure).to.include({ step: phase, type: 'InjectedFault' });
  await decide(handle, 'rollback', { by: 'tester', note: `${phase} failed on purpose` });
  const rolledBack = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
  expect(rolledBack.phase, JSON.stringify(rolledBack.failure)).to.equal('ROLLED_BACK');
  await decide(handle, 'sign-off', { by: 'tester' });
  return (await handle.result()) as OperationResult;
}

describe('export: every phase fails, then rolls back to nothing written', function () {
  this.timeout(60_000);
  for (const phase of ['COPY', 'SCRUB', 'VERIFY', 'PACKAGE'] as StepName[]) {
    it(`${phase}=fail, then rollback`, async () => {
      const estate = createTestEstate(1000, `export-fail-${phase.toLowerCase()}`);
      const output = path.join(estate.home, 'prod.dbmove');
      const prod = fileSha256(estate.database('prod'));
      const worker = await createTestWorker(estate, { DBMOVE_FAULTS: `${phase}=fail` });
      const result = await worker.run(async () => failThenRollBack(await startKind(worker, 'export', { source: 'prod', output, tuning: FAST }), phase));
      expect(result.outcome).to.equal('rolled-back');
      expect(fileSha256(estate.database('prod'))).to.equal(prod);
      expect(fs.readdirSync(estate.home).filter((f) => f.startsWith('prod.dbmove'))).to.deep.equal([]);
      expect(filesOnDisk(estate, 'prod', result.operationId).staging).to.deep.equal([]);
    });
  }
});

describe('import and point-in-time restore: every phase fails, then rolls back to the target as it was', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let backup: string;
  let markerAt: string;

  before(async () => {
    estate = createTestEstate(1000, 'backup-fail');
    backup = path.join(estate.home, 'prod.dbmove');
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const exported = await startKind(worker, 'export', { source: 'prod', output: backup, tuning: FAST });
      await waitForPhase(exported, ['AWAITING_SIGNOFF']);
      await decide(exported, 'sign-off', { by: 'tester' });
      await exported.result();
      // A signed-off refresh keeps uat's restore point in its history: something to restore to.
      const refreshed = await startRefresh(worker, { tuning: FAST });
      markerAt = (await waitForPhase(refreshed, ['AWAITING_SIGNOFF'])).marker!.at;
      await decide(refreshed, 'sign-off', { by: 'tester' });
      await refreshed.result();
    });
  });

  for (const phase of ['MARKER', 'RESTORE', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'] as StepName[]) {
    it(`import: ${phase}=fail, then rollback`, async () => {
      const before = tableChecksums(estate.database('train'));
      const worker = await createTestWorker(estate, { DBMOVE_FAULTS: `${phase}=fail` });
      const result = await worker.run(async () => failThenRollBack(await startKind(worker, 'import', { input: backup, target: 'train', tuning: FAST }), phase));
      expect(tableChecksums(estate.database('train'))).to.deep.equal(before);
      const files = filesOnDisk(estate, 'train', result.operationId);
      expect({ staging: files.staging, restorePoints: files.restorePoints, journal: files.journal }).to.deep.equal({
        staging: [],
        restorePoints: [],
        journal: [],
      });
    });
  }

  for (const phase of ['MARKER', 'RESTORE', 'NOTIFY', 'SWAP'] as StepName[]) {
    it(`restore: ${phase}=fail, then rollback`, async () => {
      const before = tableChecksums(estate.database('uat'));
      const worker = await createTestWorker(estate, { DBMOVE_FAULTS: `${phase}=fail` });
      const result = await worker.run(async () => failThenRollBack(await startKind(worker, 'restore', { target: 'uat', to: markerAt, tuning: FAST }), phase));
      expect(tableChecksums(estate.database('uat'))).to.deep.equal(before);
      const files = filesOnDisk(estate, 'uat', result.operationId);
      expect({ staging: files.staging, restorePoints: files.restorePoints, journal: files.journal }).to.deep.equal({
        staging: [],
        restorePoints: [],
        journal: [],
      });
    });
  }
});
