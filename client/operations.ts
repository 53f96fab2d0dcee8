import { DbmoveError } from '../common/errors';
import * as crypto from 'node:crypto';
import { Client, WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { assertName, ENVIRONMENT_NAME, OPERATION_ID } from '../config/names';
import { retryUpdate, rollbackUpdate, signOffUpdate, statusQuery } from '../workflows/messages';
import { DbmoveOperation, DbmovePhase, DbmoveSource, DbmoveTarget } from '../workflows/search-attributes';
import type { DecisionInput, OperationKind, OperationStatus, Progress } from '../workflows/types';

/**
 * The typed client API behind the `dbmove` command line, usable from any script: start an
 * operation, find one by id or by environment, read its status, send decisions.
 */

/** Readable, unique operation ids: refresh-uat-20261122t153000z-3f9a. */
export function newOperationId(kind: OperationKind, environment: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase();
  return `${kind}-${environment}-${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

export function searchAttributes(kind: OperationKind, source: string | undefined, target: string | undefined, phase = 'PRECHECK'): SearchAttributePair[] {
  return [
    { key: DbmoveOperation, value: kind },
    ...(source ? [{ key: DbmoveSource, value: source }] : []),
    ...(target ? [{ key: DbmoveTarget, value: target }] : []),
    { key: DbmovePhase, value: phase },
  ];
}

export interface StartOptions {
  taskQueue: string;
  operationId?: string;
}

/** Starts a workflow of `kind` with dbmove's search attributes and a one-line summary for the Web UI. */
export async function startOperation<A>(
  client: Client,
  kind: OperationKind,
  workflowType: string,
  input: A & { source?: string; target?: string; requestedBy: string },
  options: StartOptions,
  summary: string,
): Promise<WorkflowHandle> {
  const environment = input.target ?? input.source!;
  const workflowId = options.operationId ?? newOperationId(kind, environment);
  assertName('operation id', workflowId, OPERATION_ID);
  return client.workflow.start(workflowType, {
    taskQueue: options.taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: searchAttributes(kind, input.source, input.target),
    staticSummary: summary,
    staticDetails: `Requested by ${input.requestedBy}. Watch: \`dbmove status ${workflowId}\`. Sign off: signal \`signOff\` with {"by": "you"}.`,
  });
}

export class OperationNotFoundError extends DbmoveError {
  constructor(ref: string, why: string) {
    super('OperationNotFound', `No operation ${ref}: ${why}. Use an operation id or an environment name (dbmove list shows both)`);
  }
}

/**
 * An operation by id, or the most recent one on an environment (open first). Environment
 * names and operation ids cannot collide: ids always contain the operation kind and a time.
 */
export async function findOperation(client: Client, ref: string): Promise<WorkflowHandle> {
  if (OPERATION_ID.test(ref) && /^(refresh|export|import|restore)-/.test(ref)) {
    const handle = client.workflow.getHandle(ref);
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new OperationNotFoundError(ref, 'Temporal has no workflow with that id');
      throw err;
    }
  }
  assertName('environment name', ref, ENVIRONMENT_NAME);
  for (const status of ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated']) {
    const query = `(DbmoveTarget = '${ref}' OR DbmoveSource = '${ref}') AND ExecutionStatus = '${status}'`;
    for await (const execution of client.workflow.list({ query, pageSize: 1 })) {
      return client.workflow.getHandle(execution.workflowId, execution.runId);
    }
  }
  throw new OperationNotFoundError(ref, `there is no operation on environment ${ref}`);
}

/** The workflow's status, with the running step's progress from its last heartbeat. */
export async function getStatus(client: Client, handle: WorkflowHandle): Promise<OperationStatus> {
  const [status, description] = await Promise.all([handle.query(statusQuery), handle.describe()]);
  const payloads = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads;
  if (payloads?.length) {
    try {
      const details = await decodeFromPayloadsAtIndex<Progress>(client.options.loadedDataConverter, 0, payloads);
      if (details && typeof details.percent === 'number') status.progress = { step: details.step, percent: details.percent, detail: details.detail };
    } catch {
      /* progress is best effort: a heartbeat from another version of the worker */
    }
  }
  return status;
}

export type DecisionKind = 'sign-off' | 'rollback' | 'retry';

const UPDATES = { 'sign-off': signOffUpdate, rollback: rollbackUpdate, retry: retryUpdate } as const;

/** Sends a decision as a validated update: it is accepted, or refused with the reason. */
export async function decide(handle: WorkflowHandle, kind: DecisionKind, input: DecisionInput): Promise<OperationStatus> {
  return handle.executeUpdate(UPDATES[kind], { args: [input] });
}
