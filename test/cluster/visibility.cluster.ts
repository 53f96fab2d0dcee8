import { expect } from 'chai';
import { decide } from '../../client/operations';
import { DbmoveOperation, DbmovePhase, DbmoveSource, DbmoveTarget } from '../../workflows/search-attributes';
import { runCli } from '../support/cli';
import { createTestEstate } from '../support/estate';
import { eventually } from '../support/poll';
import type { WorkerProcess } from '../support/worker-process';
import {
  clusterClient,
  isPhase,
  newTaskQueue,
  spawnClusterWorkers,
  startClusterRefresh,
  stopAll,
  waitForPollers,
  waitForStatus,
  writeEstateProfile,
} from './support';

/**
 * Operations found by dbmove's search attributes through the cluster's visibility store
 * (PostgreSQL, advanced visibility with custom Keyword attributes), with the same queries the
 * CLI and the Web UI send. The namespace outlives test runs, so every query is narrowed to this
 * test's task queue (TaskQueue is one of Temporal's own attributes).
 */
describe('cluster: operations found by their search attributes', function () {
  const workers: WorkerProcess[] = [];
  afterEach(() => stopAll(workers));

  /** Visibility is written asynchronously by the history service: wait until the answer is the expected one. */
  async function idsFor(query: string, expected: string[], timeoutMs = 30_000): Promise<string[]> {
    const client = await clusterClient();
    const want = JSON.stringify([...expected].sort());
    let ids: string[] = [];
    return eventually(
      async () => {
        ids = [];
        for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
        ids.sort();
        return JSON.stringify(ids) === want ? ids : undefined;
      },
      { what: `exactly ${want} for ${query}`, timeoutMs, intervalMs: 250, lastSeen: () => JSON.stringify(ids) },
    );
  }

  it('by operation, source, target and phase, from the SDK and from `dbmove list`', async () => {
    const estate = createTestEstate(1000, 'cluster-visibility');
    const taskQueue = newTaskQueue('visibility');
    workers.push(...spawnClusterWorkers(estate, taskQueue, 2));
    await waitForPollers(taskQueue, workers);

    const uat = await startClusterRefresh(taskQueue, { target: 'uat' });
    const train = await startClusterRefresh(taskQueue, { target: 'train' });
    for (const handle of [uat, train])
      expect((await waitForStatus(handle, isPhase('AWAITING_SIGNOFF', 'FAILED', 'REFUSED'))).phase).to.equal('AWAITING_SIGNOFF');
    await decide(uat, 'sign-off', { by: 'cluster-tester' });
    await uat.result();

    const scope = `TaskQueue = '${taskQueue}'`;
    expect(await idsFor(`${scope} AND DbmoveOperation = 'refresh'`, [uat.workflowId, train.workflowId])).to.deep.equal(
      [uat.workflowId, train.workflowId].sort(),
    );
    expect(await idsFor(`${scope} AND DbmoveTarget = 'train'`, [train.workflowId])).to.deep.equal([train.workflowId]);
    expect(await idsFor(`${scope} AND DbmoveSource = 'prod' AND DbmoveTarget IN ('uat', 'train')`, [uat.workflowId, train.workflowId])).to.have.length(2);
    // The phase attribute follows the operation: one waits for sign-off, the other completed.
    expect(await idsFor(`${scope} AND DbmovePhase = 'AWAITING_SIGNOFF'`, [train.workflowId])).to.deep.equal([train.workflowId]);
    expect(await idsFor(`${scope} AND DbmovePhase = 'COMPLETED' AND ExecutionStatus = 'Completed'`, [uat.workflowId])).to.deep.equal([uat.workflowId]);
    expect(await idsFor(`${scope} AND DbmoveTarget = 'prod'`, [])).to.deep.equal([]);

    // The typed values come back from PostgreSQL as they were set.
    const client = await clusterClient();
    for await (const w of client.workflow.list({ query: `${scope} AND DbmoveTarget = 'train'` })) {
      expect([
        w.typedSearchAttributes.get(DbmoveOperation),
        w.typedSearchAttributes.get(DbmoveSource),
        w.typedSearchAttributes.get(DbmoveTarget),
        w.typedSearchAttributes.get(DbmovePhase),
      ]).to.deep.equal(['refresh', 'prod', 'train', 'AWAITING_SIGNOFF']);
    }
    expect(await client.workflow.count(`${scope} AND DbmoveOperation = 'refresh'`)).to.include({ count: 2 });

    // The real command line, configured by nothing but the cluster's profile in its home.
    writeEstateProfile(estate, taskQueue);
    const listed = await runCli(estate, ['list', '--all', '--json', '--limit', '1000']);
    expect(listed.code, listed.stderr).to.equal(0);
    const rows = (JSON.parse(listed.stdout) as { operationId: string }[]).filter((r) => [uat.workflowId, train.workflowId].includes(r.operationId));
    expect(rows.map((r) => ({ ...r, startedAt: undefined, closedAt: undefined })).sort((a, b) => a.operationId.localeCompare(b.operationId))).to.deep.equal(
      [
        {
          operationId: uat.workflowId,
          kind: 'refresh',
          source: 'prod',
          target: 'uat',
          phase: 'COMPLETED',
          status: 'COMPLETED',
          startedAt: undefined,
          closedAt: undefined,
        },
        {
          operationId: train.workflowId,
          kind: 'refresh',
          source: 'prod',
          target: 'train',
          phase: 'AWAITING_SIGNOFF',
          status: 'RUNNING',
          startedAt: undefined,
          closedAt: undefined,
        },
      ].sort((a, b) => a.operationId.localeCompare(b.operationId)),
    );

    await decide(train, 'sign-off', { by: 'cluster-tester' });
    await train.result();
  });
});
