import { expect } from 'chai';
import { readIdentityRecord } from '../engines/local/identity-records';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { decide, getStatus, startOperation } from '../client/operations';
import { RunningServer, startDevServer } from '../server/dev-server';
import type { OperationResult, OperationStatus, RefreshInput } from '../workflows/types';
import { createTestEstate, tableChecksums } from './support/estate';
import { eventually } from './support/poll';
import { freePort } from './support/ports';
import { spawnWorker, WorkerProcess } from './support/worker-process';

/**
 * The Temporal dev server itself stopped and started again in the middle of a refresh, with
 * its persistent database file (what `dbmove server` runs): the operation, its durable timer
 * and its worker carry on, and it completes. Its own server on free ports, not the shared
 * test server, which other tests are using.
 */
/** The server or the worker may be coming back: a failed status read just means "not yet". */
async function until(client: () => Client, handle: string, done: (s: OperationStatus) => boolean, timeoutMs: number): Promise<OperationStatus> {
  let last: OperationStatus | undefined;
  return eventually(
    async () => {
      last = await getStatus(client(), client().workflow.getHandle(handle));
      return done(last) ? last : undefined;
    },
    { timeoutMs, what: `${handle} reaching the expected state`, lastSeen: () => `phase ${last?.phase}, logs ${JSON.stringify(last?.logs.slice(-4))}` },
  );
}

describe('the Temporal server restarted mid-operation', function () {
  this.timeout(180_000);
  let server: RunningServer | undefined;
  let worker: WorkerProcess | undefined;
  let connection: Connection | undefined;

  afterEach(async () => {
    await worker?.stop();
    await connection?.close().catch(() => undefined);
    await server?.stop();
  });

  it('keeps the refresh, its timer and its worker: it completes after the restart', async () => {
    const estate = createTestEstate(2000, 'server-restart');
    // A broadcast lead time makes the refresh wait on a durable timer between NOTIFY and SWAP.
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '8s' };
    });
    const source = tableChecksums(estate.database('prod'), ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY']);
    const options = {
      dbFile: path.join(estate.stateDir, 'temporal', 'dev-server.sqlite'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log: () => undefined,
      logFile: path.join(estate.home, 'dev-server.log'),
    };
    server = await startDevServer(options);
    const taskQueue = 'restart-test';
    worker = spawnWorker(estate, { address: server.address, taskQueue });
    connection = await Connection.connect({ address: server.address });
    let client = new Client({ connection });

    const input: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'tester', tuning: { initialInterval: '100ms' } };
    const handle = await startOperation(client, 'refresh', 'refresh', input, { taskQueue }, 'restart test');
    const waiting = await until(
      () => client,
      handle.workflowId,
      (s) => s.logs.some((l) => /broadcast lead time\) before SWAP/.test(l.message)),
      60_000,
    );
    expect(waiting.steps.find((s) => s.name === 'SWAP')?.status).to.equal('pending');

    // Stop the server while the timer runs; start it again on the same database file.
    await connection.close();
    const stoppedAt = Date.now();
    await server.stop();
    server = await startDevServer(options);
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });

    const awaiting = await until(
      () => client,
      handle.workflowId,
      (s) => ['AWAITING_SIGNOFF', 'FAILED'].includes(s.phase),
      90_000,
    );
    expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-4))).to.equal('AWAITING_SIGNOFF');
    expect(awaiting.steps.map((s) => s.status)).to.deep.equal(awaiting.steps.map(() => 'completed'));
    // SWAP ran after the server went down: the restart really was mid-operation.
    expect(Date.parse(awaiting.steps.find((s) => s.name === 'SWAP')!.startedAt!)).to.be.greaterThan(stoppedAt);
    // The history from before the restart is intact: the same run, the same marker.
    expect(awaiting.marker).to.deep.equal(waiting.marker);
    expect(worker.child.exitCode, worker.output()).to.equal(null);

    const uat = estate.database('uat');
    expect(tableChecksums(uat, ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY'])).to.deep.equal(source);
    expect(readIdentityRecord(uat)?.operationId, "uat's identity names the operation whose data it holds").to.equal(handle.workflowId);
    await decide(client.workflow.getHandle(handle.workflowId), 'sign-off', { by: 'tester' });
    const result = (await client.workflow.getHandle(handle.workflowId).result()) as OperationResult;
    expect(result.outcome).to.equal('completed');
  });
});
