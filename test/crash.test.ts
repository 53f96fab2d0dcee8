import { expect } from 'chai';
import { readIdentityRecord } from '../engines/local/identity-records';
import * as crypto from 'node:crypto';
import { decide } from '../client/operations';
import type { OperationResult } from '../workflows/types';
import { createTestEstate, fileSha256, query, tableChecksums } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import { spawnWorker, WorkerProcess } from './support/worker-process';

/**
 * The worker process killed with SIGKILL in the middle of a step (DBMOVE_FAULTS crash-once:
 * halfway through the COPY, or after the first SCRUB element). Temporal notices the missing
 * heartbeat, retries the step, and a new worker process finishes the operation: the data is
 * right and no second staging copy is left behind.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];

describe('a worker killed mid-step: a new worker finishes the operation', function () {
  this.timeout(120_000);
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
  });

  for (const step of ['COPY', 'SCRUB'] as const) {
    it(`SIGKILL during ${step}`, async () => {
      const estate = createTestEstate(3000, `crash-${step.toLowerCase()}`);
      const source = tableChecksums(estate.database('prod'), BUSINESS);
      const sourceFile = fileSha256(estate.database('prod'));
      const temporal = { address: testServer().address, taskQueue: `crash-${crypto.randomBytes(6).toString('hex')}` };
      const faults = { DBMOVE_FAULTS: `${step}=crash-once` };

      const first = spawnWorker(estate, temporal, faults);
      workers.push(first);
      // A short heartbeat timeout, so that Temporal gives up on the dead worker's attempt in seconds.
      const handle = await startRefresh({ taskQueue: temporal.taskQueue } as never, {
        tuning: { heartbeatTimeout: '2s', initialInterval: '100ms', maximumAttempts: 3 },
      });
      const died = await Promise.race([first.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
      expect(died, first.output()).to.deep.equal({ code: null, signal: 'SIGKILL' });
      expect(first.output()).to.contain(`injected crash at ${step} (crash-once) for ${handle.workflowId}`);
      // It died mid-step: COPY leaves a half-written copy, SCRUB a half-scrubbed staging.
      const leftBehind = filesOnDisk(estate, 'uat', handle.workflowId).staging;
      expect(leftBehind, 'what the dead worker left').to.include(step === 'COPY' ? `${handle.workflowId}.sqlite.partial` : `${handle.workflowId}.sqlite`);

      // A new worker (same fault plan: "once" is remembered on disk) takes over.
      const second = spawnWorker(estate, temporal, faults);
      workers.push(second);
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED'], 90_000);
      expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
      expect(awaiting.steps.every((s) => s.status === 'completed')).to.equal(true);
      // The workflow saw one attempt of the step; Temporal retried the activity underneath.
      expect(awaiting.steps.find((s) => s.name === step)?.attempts).to.equal(1);

      const uat = estate.database('uat');
      expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
      expect(fileSha256(estate.database('prod'))).to.equal(sourceFile);
      expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
      expect(query(uat, 'SELECT COUNT(*) AS n FROM BATCHJOBHISTORY')[0]).to.deep.equal({ n: 0 });
      expect(readIdentityRecord(uat)?.operationId, "uat's identity names the operation whose data it holds").to.equal(handle.workflowId);
      // No duplicate or half-written staging copy anywhere: the swap consumed the one staging file.
      const files = filesOnDisk(estate, 'uat', handle.workflowId);
      expect(files.staging).to.deep.equal([]);
      expect(files.restorePoints).to.deep.equal([`${handle.workflowId}.json`, `${handle.workflowId}.sqlite`]);

      await decide(handle, 'sign-off', { by: 'tester' });
      expect(((await handle.result()) as OperationResult).outcome).to.equal('completed');
      expect(second.output()).to.not.contain('injected crash');
    });
  }
});
