import { WorkflowHandle } from '@temporalio/client';
import { startOperation } from '../../client/operations';
import { followOperation } from '../../client/follow';
import type { OperationStatus, Phase, RefreshInput } from '../../workflows/types';
import { testServer } from './server';
import type { TestWorker } from './worker';

/** Starts a refresh on the test worker's task queue; retries are fast so failures show quickly. */
export async function startRefresh(worker: TestWorker, input: Partial<RefreshInput> = {}): Promise<WorkflowHandle> {
  const full: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'tester', tuning: { initialInterval: '100ms' }, ...input };
  return startOperation(testServer().client, 'refresh', 'refresh', full, { taskQueue: worker.taskQueue }, `refresh ${full.source} → ${full.target}`);
}

/** Polls the status query until the operation reaches one of `phases`. */
export function waitForPhase(handle: WorkflowHandle, phases: string[], timeoutMs = 60_000): Promise<OperationStatus> {
  return followOperation(testServer().client, handle, { until: phases as Phase[], intervalMs: 100, timeoutMs });
}

/** Starts any operation kind on the test worker's task queue. */
export async function startKind(worker: TestWorker, kind: 'export' | 'import' | 'restore', input: Record<string, unknown>): Promise<WorkflowHandle> {
  const type = { export: 'exportDatabase', import: 'importDatabase', restore: 'restoreDatabase' }[kind];
  const full = { requestedBy: 'tester', tuning: { initialInterval: '100ms' }, ...input } as { requestedBy: string; source?: string; target?: string };
  return startOperation(testServer().client, kind, type, full, { taskQueue: worker.taskQueue }, `${kind} test`);
}

/** Polls the status query until `done` holds (for waits a phase list cannot express). */
export function waitUntil(handle: WorkflowHandle, done: (status: OperationStatus) => boolean, timeoutMs = 60_000): Promise<OperationStatus> {
  return followOperation(testServer().client, handle, { done, intervalMs: 100, timeoutMs });
}
