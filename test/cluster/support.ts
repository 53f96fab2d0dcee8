import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { followOperation } from '../../client/follow';
import { startOperation } from '../../client/operations';
import { connectClient } from '../../config/connection';
import type { ClusterInfo } from '../../server/cluster/cluster';
import { certificatePair } from '../../server/cluster/certificates';
import { loadProfile } from '../../server/cluster/profile';
import type { OperationStatus, RefreshInput } from '../../workflows/types';
import type { TestEstate } from '../support/estate';
import { eventually } from '../support/poll';
import { spawnWorker, WorkerProcess } from '../support/worker-process';

/**
 * dbmove on the cluster, as the tests use it: the test's own client and the `dbmove worker`
 * processes reach it only through the cluster's profile (an ordinary temporal.config.json) and
 * TEMPORAL_* variables, exactly as a deployment would.
 */
let current: ClusterInfo | undefined;
let client: Promise<Client> | undefined;

export function setCluster(info: ClusterInfo): void {
  current = info;
}

export function cluster(): ClusterInfo {
  if (!current) throw new Error('The cluster is not running (test/cluster/hooks.ts starts it)');
  return current;
}

/** A client as `dbmove` builds one from the profile: mutual TLS with the dbmove-cli certificate. */
export function clusterClient(): Promise<Client> {
  return (client ??= connectClient(loadProfile(cluster().layout)));
}

export async function closeClusterClient(): Promise<void> {
  if (client) await (await client).connection.close();
  client = undefined;
}

export function newTaskQueue(name: string): string {
  return `cluster-${name}-${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * `count` real `dbmove worker` processes on `taskQueue`. The profile file gives them the
 * address, namespace, CA and the frontend's certificate name; the environment gives them the
 * workers' own client certificate, overriding only that part of the file.
 */
export function spawnClusterWorkers(estate: TestEstate, taskQueue: string, count: number, env: NodeJS.ProcessEnv = {}): WorkerProcess[] {
  const { layout, profileFile, address, namespace } = cluster();
  const own = certificatePair(layout, 'dbmove-worker');
  return Array.from({ length: count }, () =>
    spawnWorker(
      estate,
      { address, taskQueue },
      {
        DBMOVE_TEMPORAL_CONFIG: profileFile,
        TEMPORAL_NAMESPACE: namespace,
        TEMPORAL_TLS_CLIENT_CERT_PATH: own.cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: own.key,
        ...env,
      },
    ),
  );
}

/** The estate's temporal.config.json: the cluster's profile with the test's task queue, for `dbmove` commands run in the estate. */
export function writeEstateProfile(estate: TestEstate, taskQueue: string): void {
  const profile = JSON.parse(fs.readFileSync(cluster().profileFile, 'utf8'));
  const dir = path.dirname(cluster().profileFile);
  for (const key of ['serverRootCaCertPath', 'clientCertPath', 'clientKeyPath']) profile.tls[key] = path.resolve(dir, profile.tls[key]);
  delete profile.$schema;
  fs.writeFileSync(path.join(estate.home, 'temporal.config.json'), JSON.stringify({ ...profile, taskQueue }, null, 2));
}

/**
 * Waits until every worker has started and polls both kinds of task on `taskQueue`, as the
 * cluster itself reports it (DescribeTaskQueue): they all reached the frontend through mTLS.
 */
export async function waitForPollers(taskQueue: string, workers: WorkerProcess[], timeoutMs = 60_000): Promise<string[]> {
  await Promise.all(workers.map((w) => w.ready()));
  const c = await clusterClient();
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  let seen: string[] = [];
  return eventually(
    async () => {
      seen = [];
      for (const type of [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY]) {
        const described = await c.workflowService.describeTaskQueue({ namespace: cluster().namespace, taskQueue: { name: taskQueue }, taskQueueType: type });
        seen.push(...(described.pollers ?? []).map((p) => `${type}:${p.identity}`));
      }
      const all = workers.every((w) =>
        [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY].every((type) => seen.some((id) => id.startsWith(`${type}:${w.child.pid}@`))),
      );
      return all ? seen : undefined;
    },
    {
      what: `every worker polling ${taskQueue}`,
      timeoutMs,
      lastSeen: () => `pollers ${seen.join(', ') || 'none'}; outputs:\n${workers.map((w) => w.output()).join('\n---\n')}`,
    },
  );
}

export async function startClusterRefresh(taskQueue: string, input: Partial<RefreshInput> = {}): Promise<WorkflowHandle> {
  const full: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'cluster-tester', tuning: { initialInterval: '200ms' }, ...input };
  return startOperation(await clusterClient(), 'refresh', 'refresh', full, { taskQueue }, `refresh ${full.source} → ${full.target}`);
}

/**
 * Follows the operation with the client's own poller until `done` holds. It rides out the
 * errors a test causes on purpose (a service or PostgreSQL down) and names the last phase on
 * time-out.
 */
export async function waitForStatus(handle: WorkflowHandle, done: (s: OperationStatus) => boolean, timeoutMs = 90_000): Promise<OperationStatus> {
  return followOperation(await clusterClient(), handle, { done, intervalMs: 250, timeoutMs });
}

export const isPhase =
  (...phases: string[]) =>
  (s: OperationStatus) =>
    phases.includes(s.phase);

/** Every worker stopped at the end of a test, whatever happened. */
export async function stopAll(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers.splice(0)) await w.stop();
}

/**
 * Proves an outage from dbmove's side: `call` must fail, or not answer within `ms`. Without
 * this, a kill that silently missed its target would still let the test pass.
 */
export async function expectUnanswered(what: string, call: () => Promise<unknown>, ms = 5_000): Promise<void> {
  const outcome = await Promise.race([
    call().then(
      () => 'answered' as const,
      () => 'failed' as const,
    ),
    new Promise<'silent'>((r) => setTimeout(() => r('silent'), ms)),
  ]);
  if (outcome === 'answered') throw new Error(`${what} still answered during the outage: the outage did not happen`);
}
