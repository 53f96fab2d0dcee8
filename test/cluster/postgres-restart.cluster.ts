import { expect } from 'chai';
import { readIdentityRecord } from '../../engines/local/identity-records';
import { decide } from '../../client/operations';
import { CLUSTER_SERVICES } from '../../server/cluster/layout';
import { isPostgresRunning, startPostgres, stopPostgres } from '../../server/cluster/postgres';
import { servicePid } from '../../server/cluster/services';
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
 * PostgreSQL, which holds every workflow's history and the visibility records, stopped (fast
 * shutdown: connections cut, as in a failover) and started again in the middle of a refresh.
 * Every Temporal service and both workers ride it out, and the operation ends correctly.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY'];
const log = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

describe('cluster: PostgreSQL restarted mid-operation', function () {
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    await stopAll(workers);
    if (!(await isPostgresRunning(cluster().layout))) await startPostgres(cluster().layout, log);
  });

  it('stopped during the wait before SWAP, started again: the refresh completes', async () => {
    const { layout } = cluster();
    const estate = createTestEstate(2000, 'cluster-postgres');
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '4s' };
    });
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const taskQueue = newTaskQueue('postgres');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2));
    await waitForPollers(taskQueue, workers);
    const services = CLUSTER_SERVICES.map((s) => servicePid(layout, s));

    const handle = await startClusterRefresh(taskQueue);
    const waiting = await waitForStatus(handle, (s) => s.logs.some((l) => /broadcast lead time\) before SWAP/.test(l.message)), 60_000);

    expect(await stopPostgres(layout), 'PostgreSQL was running').to.equal(true);
    const stoppedAt = Date.now();
    const client = await clusterClient();
    await expectUnanswered('a visibility query', () => client.workflow.count(`TaskQueue = '${taskQueue}'`));
    // Down while the timer falls due: the history service cannot even load it until PostgreSQL is back.
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 6_000 - Date.now())));
    await startPostgres(layout, log);

    const awaiting = await waitForStatus(handle, isPhase('AWAITING_SIGNOFF', 'FAILED'), 120_000);
    expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
    expect(awaiting.steps.map((s) => s.status)).to.deep.equal(awaiting.steps.map(() => 'completed'));
    expect(Date.parse(awaiting.steps.find((s) => s.name === 'SWAP')!.startedAt!)).to.be.greaterThan(stoppedAt);
    expect(awaiting.marker).to.deep.equal(waiting.marker);
    // No Temporal service had to be restarted: the same processes run.
    expect(CLUSTER_SERVICES.map((s) => servicePid(layout, s))).to.deep.equal(services);

    const uat = estate.database('uat');
    expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
    expect(readIdentityRecord(uat)?.operationId, "uat's identity names the operation whose data it holds").to.equal(handle.workflowId);
    await decide(handle, 'sign-off', { by: 'cluster-tester' });
    expect(((await handle.result()) as OperationResult).outcome).to.equal('completed');
    for (const w of workers) expect(w.child.exitCode, w.output()).to.equal(null);
  });
});
