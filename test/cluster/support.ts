import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { getStatus, startOperation } from '../../client/operations';
import { connectClient } from '../../config/connection';
import type { ClusterInfo } from '../../server/cluster/cluster';
import { certificatePair } from '../../server/cluster/certificates';
import { loadProfile } from '../../server/cluster/profile';
import type { OperationStatus, RefreshInput } from '../../workflows/types';
import type { TestEstate } from '../support/estate';
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
    spawnWorker(estate, { address, taskQueue }, {
      DBMOVE_TEMPORAL_CONFIG: profileFile,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TLS_CLIENT_CERT_PATH: own.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: own.key,
      ...env,
    }),
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

/** Waits until the pollers of both task queue kinds include every worker: they all reached the cluster. */
export async function waitForPollers(taskQueue: string, workers: WorkerProcess[], timeoutMs = 60_000): Promise<string[]> {
  const c = await clusterClient();
  const deadline = Date.now() + timeoutMs;
  let identities: string[] = [];
  while (Date.now() < deadline) {
    identities = [];
    for (const type of [temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
      const described = await c.workflowService.describeTaskQueue({ namespace: cluster().namespace, taskQueue: { name: taskQueue }, taskQueueType: type });
      identities.push(...(described.pollers ?? []).map((p) => `${type}:${p.identity}`));
    }
    const everyWorkerPolls = workers.every((w) => [1, 2].every((type) => identities.some((id) => id.startsWith(`${type}:${w.child.pid}@`))));
    if (everyWorkerPolls) return identities;
    const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (dead) throw new Error(`A worker exited before polling:\n${dead.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Not every worker polls ${taskQueue} after ${timeoutMs / 1000} s; pollers: ${identities.join(', ')}; outputs:\n${workers.map((w) => w.output()).join('\n---\n')}`);
}

export async function startClusterRefresh(taskQueue: string, input: Partial<RefreshInput> = {}): Promise<WorkflowHandle> {
  const full: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'cluster-tester', tuning: { initialInterval: '200ms' }, ...input };
  return startOperation(await clusterClient(), 'refresh', 'refresh', full, { taskQueue }, `refresh ${full.source} → ${full.target}`);
}

/**
 * Polls the status query until `done` holds. Errors are expected while a test has a service or
 * PostgreSQL down, so they are retried; the last one is reported on time-out.
 */
export async function waitForStatus(handle: WorkflowHandle, done: (s: OperationStatus) => boolean, timeoutMs = 90_000): Promise<OperationStatus> {
  const c = await clusterClient();
  const deadline = Date.now() + timeoutMs;
  let last: OperationStatus | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await getStatus(c, c.workflow.getHandle(handle.workflowId));
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs / 1000} s: phase ${last?.phase}, failure ${JSON.stringify(last?.failure)}, logs ${JSON.stringify(last?.logs.slice(-4))}, last error ${(lastError as Error)?.message}`);
}

export const isPhase = (...phases: string[]) => (s: OperationStatus) => phases.includes(s.phase);

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
