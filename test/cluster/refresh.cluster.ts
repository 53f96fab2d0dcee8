import { expect } from 'chai';
import { readIdentityRecord } from '../../engines/local/identity-records';
import { decide } from '../../client/operations';
import type { OperationResult } from '../../workflows/types';
import { createTestEstate, fileSha256, query, tableChecksums } from '../support/estate';
import { filesOnDisk } from '../support/holdings';
import type { WorkerProcess } from '../support/worker-process';
import { isPhase, newTaskQueue, spawnClusterWorkers, startClusterRefresh, stopAll, waitForPollers, waitForStatus } from './support';

/**
 * The two everyday outcomes on the production-like cluster (PostgreSQL, separate services,
 * mutual TLS, the dbmove namespace), with two `dbmove worker` processes sharing the work.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];

describe('cluster: refreshes with two worker processes', function () {
  const workers: WorkerProcess[] = [];
  afterEach(() => stopAll(workers));

  it('refreshes uat from prod and signs off', async () => {
    const estate = createTestEstate(2000, 'cluster-signoff');
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const sourceFile = fileSha256(estate.database('prod'));
    const taskQueue = newTaskQueue('signoff');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2));
    // Both processes reached the frontend through mutual TLS and poll both kinds of task.
    await waitForPollers(taskQueue, workers);

    const handle = await startClusterRefresh(taskQueue);
    const awaiting = await waitForStatus(handle, isPhase('AWAITING_SIGNOFF', 'FAILED', 'REFUSED'));
    expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
    expect(awaiting.steps.map((s) => `${s.name}:${s.status}`)).to.deep.equal(awaiting.steps.map((s) => `${s.name}:completed`));

    const uat = estate.database('uat');
    expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
    expect(fileSha256(estate.database('prod'))).to.equal(sourceFile);
    expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
    expect(readIdentityRecord(uat)?.operationId, "uat's identity names the operation whose data it holds").to.equal(handle.workflowId);

    await decide(handle, 'sign-off', { by: 'cluster-tester' });
    const result = (await handle.result()) as OperationResult;
    expect(result).to.include({ outcome: 'completed', phase: 'COMPLETED', signedOffBy: 'cluster-tester' });
    // Sign-off released what the operation held; its restore point moved to uat's history (restorePointRetention).
    const files = filesOnDisk(estate, 'uat', handle.workflowId);
    expect([files.staging, files.restorePoints, files.journal]).to.deep.equal([[], [], []]);
    expect(files.history.map((f) => f.replace(/^.*--/, ''))).to.deep.equal([`${handle.workflowId}.json`, `${handle.workflowId}.sqlite`]);
    for (const w of workers) expect(w.child.exitCode, w.output()).to.equal(null);
  });

  it('fails at SYNC, rolls back on request: uat is exactly as before', async () => {
    const estate = createTestEstate(2000, 'cluster-rollback');
    const before = tableChecksums(estate.database('uat'));
    const taskQueue = newTaskQueue('rollback');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2, { DBMOVE_FAULTS: 'SYNC=fail' }));
    await waitForPollers(taskQueue, workers);

    const handle = await startClusterRefresh(taskQueue, { tuning: { initialInterval: '100ms', maximumAttempts: 2 } });
    const failed = await waitForStatus(handle, isPhase('FAILED', 'AWAITING_SIGNOFF', 'REFUSED'));
    expect(failed.phase).to.equal('FAILED');
    expect(failed.failure).to.include({ step: 'SYNC' });
    expect(failed.failure!.message).to.match(/Injected fault: SYNC=fail/);

    await decide(handle, 'rollback', { by: 'cluster-tester', note: 'SYNC cannot pass' });
    const rolledBack = await waitForStatus(handle, isPhase('ROLLED_BACK', 'ROLLBACK_FAILED'));
    expect(rolledBack.phase, JSON.stringify(rolledBack.logs.slice(-5))).to.equal('ROLLED_BACK');
    // Every table of the target, content by content, as it was before the refresh started.
    expect(tableChecksums(estate.database('uat'))).to.deep.equal(before);

    await decide(handle, 'sign-off', { by: 'cluster-tester' });
    const result = (await handle.result()) as OperationResult;
    expect(result).to.include({ outcome: 'rolled-back' });
    const files = filesOnDisk(estate, 'uat', handle.workflowId);
    expect([files.staging, files.restorePoints, files.journal]).to.deep.equal([[], [], []]);
  });
});
