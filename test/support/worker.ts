import * as crypto from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createDbmoveWorker } from '../../worker/create-worker';
import type { TestEstate } from './estate';
import { testServer } from './server';

export interface TestWorker {
  worker: Worker;
  taskQueue: string;
  /** Runs `fn` while the worker polls, then shuts the worker down. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

const created: Worker[] = [];

/** Root hook: a worker a test created but never ran still holds the connection; start and stop it. */
export async function releaseUnusedWorkers(): Promise<void> {
  for (const worker of created.splice(0)) {
    if (worker.getState() === 'INITIALIZED') await worker.runUntil(Promise.resolve());
  }
}

export async function createTestWorker(estate: TestEstate, env: NodeJS.ProcessEnv = {}): Promise<TestWorker> {
  const taskQueue = `test-${crypto.randomBytes(6).toString('hex')}`;
  const worker = await createDbmoveWorker({
    connection: testServer().nativeConnection,
    namespace: testServer().namespace ?? 'default',
    taskQueue,
    catalogFile: estate.catalogFile,
    stateDir: estate.stateDir,
    env,
  });
  created.push(worker);
  return { worker, taskQueue, run: (fn) => worker.runUntil(fn) };
}
