import { expect } from 'chai';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { decide, getStatus, startOperation } from '../client/operations';
import { seededRandom } from '../demo/estate';
import { readBackupManifest } from '../engines/local/backup-file';
import { readIdentityRecord } from '../engines/local/identity-records';
import { RunningServer, startDevServer, type DevServerOptions } from '../server/dev-server';
import { leaseWorkflowId } from '../workflows/lease-id';
import type { OperationKind, OperationStatus } from '../workflows/types';
import { createTestEstate, query, tableChecksums } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { eventually } from './support/poll';
import { freePort } from './support/ports';
import { spawnWorker, WorkerProcess } from './support/worker-process';

/**
 * A random-kill run: refresh, export, import and point-in-time restore, one after the other,
 * while the worker process and the Temporal server are SIGKILLed at random moments and started
 * again. Every operation must end with the right data, nothing of it left on disk, and its
 * environment lease released. The moments come from a seeded generator: the seed is in the
 * test's output, and DBMOVE_KILL_SEED=<seed> replays the same run.
 */
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];
const KILLS_PER_OPERATION = 2;

describe('random kills of the worker and the Temporal server over refresh, export, import and restore', function () {
  this.timeout(600_000);
  let server: RunningServer | undefined;
  let worker: WorkerProcess | undefined;
  let connection: Connection | undefined;

  afterEach(async () => {
    await worker?.stop('SIGKILL');
    await connection?.close().catch(() => undefined);
    await server?.stop('SIGKILL');
  });

  it('every operation ends with the right data, nothing left on disk, and its lease released', async () => {
    const seed = Number(process.env.DBMOVE_KILL_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const log: string[] = [`seed ${seed} (DBMOVE_KILL_SEED=${seed} replays this run)`];
    const estate = createTestEstate(2000, 'random-kill');
    const prod = tableChecksums(estate.database('prod'), BUSINESS);
    const uatBefore = tableChecksums(estate.database('uat'));
    const options: DevServerOptions = {
      dbFile: path.join(estate.stateDir, 'temporal', 'dev-server.sqlite'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log: () => undefined,
      logFile: path.join(estate.home, 'dev-server.log'),
    };
    const taskQueue = 'random-kill';
    server = await startDevServer(options);
    const startWorker = async () => {
      worker = spawnWorker(estate, { address: server!.address, taskQueue });
      await worker.ready();
    };
    await startWorker();
    connection = await Connection.connect({ address: server.address });
    let client = new Client({ connection });
    const tuning = { heartbeatTimeout: '2s', initialInterval: '200ms', maximumAttempts: 20 };
    const type: Record<OperationKind, string> = { refresh: 'refresh', export: 'exportDatabase', import: 'importDatabase', restore: 'restoreDatabase' };

    const statusOf = async (id: string, done: (s: OperationStatus) => boolean, timeoutMs = 120_000) => {
      let last: OperationStatus | undefined;
      return eventually(
        async () => {
          last = await getStatus(client, client.workflow.getHandle(id));
          return done(last) ? last : undefined;
        },
        { timeoutMs, what: `${id} (${log.join('; ')})`, lastSeen: () => `phase ${last?.phase}, logs ${JSON.stringify(last?.logs.slice(-4))}` },
      );
    };

    /** Runs one operation to AWAITING_SIGNOFF with kills at random moments, then signs it off. */
    const run = async (kind: OperationKind, input: Record<string, unknown>): Promise<OperationStatus> => {
      const handle = await startOperation(
        client,
        kind,
        type[kind],
        { requestedBy: 'tester', tuning, ...input } as never,
        { taskQueue },
        `random kill: ${kind}`,
      );
      for (let k = 0; k < KILLS_PER_OPERATION; k++) {
        await new Promise((r) => setTimeout(r, 150 + random() * 1_500));
        const now = await getStatus(client, handle).catch(() => undefined);
        if (now && ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED'].includes(now.phase)) break;
        if (random() < 0.65) {
          log.push(`${kind}: worker killed in ${now?.phase}`);
          worker!.child.kill('SIGKILL');
          await worker!.exited;
          await startWorker();
        } else {
          log.push(`${kind}: server killed in ${now?.phase}`);
          await connection!.close().catch(() => undefined);
          await server!.stop('SIGKILL');
          server = await startDevServer(options);
          connection = await Connection.connect({ address: server.address });
          client = new Client({ connection });
        }
      }
      const awaiting = await statusOf(handle.workflowId, (s) => ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED'].includes(s.phase));
      expect(awaiting.phase, `${kind}: ${log.join('; ')}; ${JSON.stringify(awaiting.failure ?? awaiting.logs.slice(-3))}`).to.equal('AWAITING_SIGNOFF');
      await eventually(
        async () => {
          await decide(client.workflow.getHandle(handle.workflowId), 'sign-off', { by: 'tester' });
          return true;
        },
        { timeoutMs: 60_000, what: `sign-off of ${kind}` },
      );
      await eventually(async () => ((await client.workflow.getHandle(handle.workflowId).describe()).status.name === 'COMPLETED' ? true : undefined), {
        timeoutMs: 60_000,
        what: `${kind} closing`,
      });
      return awaiting;
    };
    const leaseHeld = async (environment: string) =>
      client.workflow
        .getHandle(leaseWorkflowId(environment, taskQueue))
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => false);

    // Refresh: uat gets prod's business data, scrubbed and stamped; nothing left; uat free.
    const refreshed = await run('refresh', { source: 'prod', target: 'uat' });
    const uat = estate.database('uat');
    expect(tableChecksums(uat, BUSINESS), log.join('; ')).to.deep.equal(prod);
    expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
    expect(readIdentityRecord(uat)?.operationId, "uat's identity names the refresh").to.equal(refreshed.operationId);
    expect(filesOnDisk(estate, 'uat', refreshed.operationId)).to.deep.include({ staging: [], restorePoints: [], journal: [] });
    expect(await leaseHeld('uat')).to.equal(false);

    // Export: one complete, checked backup written by this operation.
    const output = path.join(estate.home, 'prod.dbmove');
    const exported = await run('export', { source: 'prod', output });
    const { manifest } = await readBackupManifest(output);
    expect(manifest.operationId).to.equal(exported.operationId);
    expect(filesOnDisk(estate, 'prod', exported.operationId).staging).to.deep.equal([]);

    // Import: train gets prod's business data from the backup.
    const imported = await run('import', { input: output, target: 'train' });
    expect(tableChecksums(estate.database('train'), BUSINESS)).to.deep.equal(prod);
    expect(filesOnDisk(estate, 'train', imported.operationId)).to.deep.include({ staging: [], restorePoints: [], journal: [] });
    expect(await leaseHeld('train')).to.equal(false);

    // Restore: uat back to its marker from before the refresh, table by table.
    const restored = await run('restore', { target: 'uat', to: refreshed.marker!.at });
    const after = tableChecksums(uat);
    for (const table of Object.keys(uatBefore)) expect(after[table], table).to.deep.equal(uatBefore[table]);
    expect(filesOnDisk(estate, 'uat', restored.operationId)).to.deep.include({ staging: [], restorePoints: [], journal: [] });
    expect(await leaseHeld('uat')).to.equal(false);
    process.stdout.write(`      random kills: ${log.join('; ')}\n`);
  });
});
