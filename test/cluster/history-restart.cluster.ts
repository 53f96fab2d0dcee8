import { expect } from 'chai';
import { readIdentityRecord } from '../../engines/local/identity-records';
import { decide, getStatus } from '../../client/operations';
import { isListening } from '../../server/cluster/daemons';
import { servicePort } from '../../server/cluster/layout';
import { startClusterService } from '../../server/cluster/cluster';
import { servicePid, stopService } from '../../server/cluster/services';
import type { OperationResult } from '../../workflows/types';
import { createTestEstate, tableChecksums } from '../support/estate';
import type { WorkerProcess } from '../support/worker-process';
import {
  cluster,
  clusterClient,
  expectUnanswered,
  isPhase,
  newTaskQueue,
  spawnClusterWorkers,
  startClusterRefresh,
  stopAll,
  waitForPollers,
  waitForStatus,
} from './support';

/**
 * The history service, which owns every workflow's state and timers, killed with SIGKILL in
 * the middle of a refresh and started again: the new process takes the shards over from
 * PostgreSQL, the durable timer the refresh waits on fires late but fires, and the operation
 * ends correctly. The frontend, matching and the dbmove workers stay up throughout.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY'];
const log = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

describe('cluster: the history service killed mid-operation', function () {
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    await stopAll(workers);
    // Never leave the suite without a history service, whatever failed above.
    await startClusterService('history', log);
  });

  it('SIGKILL during the wait before SWAP, restart: the refresh completes', async () => {
    const { layout } = cluster();
    const estate = createTestEstate(2000, 'cluster-history');
    // A broadcast lead time: NOTIFY then waits on a durable timer (held by history) before SWAP.
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '4s' };
    });
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const taskQueue = newTaskQueue('history');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2));
    await waitForPollers(taskQueue, workers);

    const handle = await startClusterRefresh(taskQueue);
    const waiting = await waitForStatus(handle, (s) => s.logs.some((l) => /broadcast lead time\) before SWAP/.test(l.message)), 60_000);
    expect(waiting.steps.find((s) => s.name === 'SWAP')?.status).to.equal('pending');

    const killed = servicePid(layout, 'history');
    expect(killed, 'a running history service').to.be.a('number');
    await stopService(layout, 'history', { signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(await isListening(servicePort(layout, 'history')), 'history is down').to.equal(false);
    const client = await clusterClient();
    await expectUnanswered('the status query', () => getStatus(client, client.workflow.getHandle(handle.workflowId)));
    // Down for longer than the timer has left: it is due while no history service runs.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 6_000 - Date.now())));
    const restarted = await startClusterService('history', log);
    expect(restarted).to.not.equal(killed);

    const awaiting = await waitForStatus(handle, isPhase('AWAITING_SIGNOFF', 'FAILED'), 120_000);
    expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
    expect(awaiting.steps.map((s) => s.status)).to.deep.equal(awaiting.steps.map(() => 'completed'));
    // SWAP ran after the kill, on the same run with the same marker: mid-operation for real.
    expect(Date.parse(awaiting.steps.find((s) => s.name === 'SWAP')!.startedAt!)).to.be.greaterThan(killedAt);
    expect(awaiting.marker).to.deep.equal(waiting.marker);

    const uat = estate.database('uat');
    expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
    expect(readIdentityRecord(uat)?.operationId, "uat's identity names the operation whose data it holds").to.equal(handle.workflowId);
    await decide(handle, 'sign-off', { by: 'cluster-tester' });
    expect(((await handle.result()) as OperationResult).outcome).to.equal('completed');
    for (const w of workers) expect(w.child.exitCode, w.output()).to.equal(null);
  });
});
