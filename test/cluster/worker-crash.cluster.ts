import { expect } from 'chai';
import { temporal } from '@temporalio/proto';
import { decide } from '../../client/operations';
import type { OperationResult } from '../../workflows/types';
import { createTestEstate, fileSha256, query, tableChecksums } from '../support/estate';
import { filesOnDisk } from '../support/holdings';
import type { WorkerProcess } from '../support/worker-process';
import { isPhase, newTaskQueue, spawnClusterWorkers, startClusterRefresh, stopAll, waitForPollers, waitForStatus } from './support';

/**
 * One of two worker processes dies (SIGKILL, through DBMOVE_FAULTS=COPY=crash-once) halfway
 * through COPY. Both run the same fault plan, so whichever picks COPY up dies; "once" is kept
 * in the estate's state folder, which they share, so the retry does not crash. The cluster
 * notices the missing heartbeat and the other worker finishes the operation.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];
const { EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, EVENT_TYPE_ACTIVITY_TASK_STARTED, EVENT_TYPE_ACTIVITY_TASK_COMPLETED } = temporal.api.enums.v1.EventType;

describe('cluster: a worker killed mid-COPY', function () {
  const workers: WorkerProcess[] = [];
  afterEach(() => stopAll(workers));

  it('the other worker process finishes the refresh', async () => {
    const estate = createTestEstate(3000, 'cluster-worker-crash');
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const sourceFile = fileSha256(estate.database('prod'));
    const taskQueue = newTaskQueue('crash');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2, { DBMOVE_FAULTS: 'COPY=crash-once' }));
    await waitForPollers(taskQueue, workers);

    // A short heartbeat timeout, so that the cluster gives up on the dead worker's attempt in seconds.
    const handle = await startClusterRefresh(taskQueue, { tuning: { heartbeatTimeout: '2s', initialInterval: '100ms', maximumAttempts: 3 } });
    const first = await Promise.race([
      ...workers.map((w) => w.exited.then((how) => ({ w, how }))),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000)),
    ]);
    expect(first, 'a worker died within 60 s').to.not.equal(undefined);
    const dead = first!.w;
    const survivor = workers.find((w) => w !== dead)!;
    expect(first!.how).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(dead.output()).to.contain(`injected crash at COPY (crash-once) for ${handle.workflowId}`);

    const awaiting = await waitForStatus(handle, isPhase('AWAITING_SIGNOFF', 'FAILED', 'REFUSED'), 90_000);
    expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
    // The workflow saw one COPY; the cluster retried the activity underneath.
    expect(awaiting.steps.find((s) => s.name === 'COPY')?.attempts).to.equal(1);

    // The history says who did what: COPY's last attempt started on the survivor and completed.
    const events = (await handle.fetchHistory()).events ?? [];
    const copyScheduled = events.find(
      (e) => e.eventType === EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'copyToStaging',
    )!;
    const copyStarted = events.find(
      (e) =>
        e.eventType === EVENT_TYPE_ACTIVITY_TASK_STARTED && String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(copyScheduled.eventId),
    )!;
    expect(copyStarted.activityTaskStartedEventAttributes!.attempt).to.be.greaterThan(1);
    expect(copyStarted.activityTaskStartedEventAttributes!.identity).to.match(new RegExp(`^${survivor.child.pid}@`));
    expect(
      events.some(
        (e) =>
          e.eventType === EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
          String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(copyScheduled.eventId),
      ),
    ).to.equal(true);

    const uat = estate.database('uat');
    expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
    expect(fileSha256(estate.database('prod'))).to.equal(sourceFile);
    expect(query(uat, 'SELECT COUNT(*) AS n FROM BATCHJOBHISTORY')[0]).to.deep.equal({ n: 0 });
    // The dead worker's half-written copy did not survive: SWAP consumed the one good staging copy.
    expect(filesOnDisk(estate, 'uat', handle.workflowId).staging).to.deep.equal([]);

    await decide(handle, 'sign-off', { by: 'cluster-tester' });
    expect(((await handle.result()) as OperationResult).outcome).to.equal('completed');
    expect(survivor.child.exitCode, survivor.output()).to.equal(null);
    expect(survivor.output()).to.not.contain('injected crash');
  });
});
