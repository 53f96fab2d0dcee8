import { DbmoveError, UsageError } from '../common/errors';
import { clientReader, ExecutionNotFoundError, type ExecutionInfo, type OperationReader, type PendingActivity } from './reader';
import * as crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { assertName, ENVIRONMENT_NAME, OPERATION_ID } from '../config/names';
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

/**
 * The Web UI's static details: what stays true for the whole life of the operation (who
 * asked, how to address it). What to do next depends on the phase, so it lives in the
 * current details the Runbook keeps (workflows/runbook.ts), never here.
 */
export function staticDetails(workflowId: string, requestedBy: string): string {
  return `Requested by ${requestedBy}. Where it stands and what to do next: **Current Details** on this page, or \`dbmove status ${workflowId}\`.`;
}

/** Starts a workflow of `kind` with dbmove's search attributes, memo and a one-line summary for the Web UI. */
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
    // Who asked, for `dbmove history` and the Web UI's Memo tab, without a query to a worker.
    memo: { requestedBy: input.requestedBy },
    staticSummary: summary,
    staticDetails: staticDetails(workflowId, input.requestedBy),
  });
}

export class OperationNotFoundError extends DbmoveError {
  constructor(ref: string, why: string) {
    super('OperationNotFound', `No operation ${ref}: ${why}`);
  }
}

/** A name that matches several open operations, for a decision that must act on exactly one. */
export class AmbiguousOperationError extends DbmoveError {
  constructor(message: string) {
    super('AmbiguousOperation', message);
  }
}

/** Where a status comes from: a Temporal Client (scripts, tests) or a reader (the command line). */
export type StatusSource = Client | OperationReader;
export type ExecutionRef = Pick<WorkflowHandle, 'workflowId'> & { runId?: string; firstExecutionRunId?: string };

export function readerOf(source: StatusSource): OperationReader {
  return 'queryStatus' in source ? source : clientReader(source);
}

const KINDS = ['refresh', 'export', 'import', 'restore'] as const;
/** Ids dbmove generates (newOperationId) and the runs of its schedules: never environment names. */
const GENERATED_ID = /^(refresh|export|import|restore)-[a-z0-9-]+-\d{8}t\d{6}z-[0-9a-f]{4}$/;
const SCHEDULED_RUN = /-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** One operation an environment name (or an id) resolved to, and how. */
export interface ResolvedOperation {
  workflowId: string;
  runId?: string;
  kind?: string;
  /** `id`: named by its id; `target`: the environment is its target; `source`: an export of the environment. */
  matchedBy: 'id' | 'target' | 'source';
  environment?: string;
  info?: ExecutionInfo;
}

export interface ResolveOptions {
  /** The catalog's environment names, when known: they decide whether a ref is a name or an id. */
  environments?: () => string[] | undefined;
  /** For decisions: only open operations, and exactly one of them. */
  openOnly?: boolean;
  /** Take an id as it is, without asking Temporal: the caller's next call tells whether it exists. */
  trustIds?: boolean;
  /** The task queue that serves the catalog: a name means that catalog's environment, not another deployment's. */
  taskQueue?: string;
}

/** Only the operations of one deployment: a catalog is served by one task queue (as its leases are). */
export function taskQueueClause(taskQueue: string | undefined): string {
  if (taskQueue === undefined) return '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(taskQueue)) throw new UsageError(`Invalid task queue name "${taskQueue.slice(0, 40)}"`);
  return ` AND TaskQueue = '${taskQueue}'`;
}

/** Operations that belong to `environment`: those that target it, and exports of it (by source). */
export function environmentQuery(environment: string, taskQueue?: string): string {
  assertName('environment name', environment, ENVIRONMENT_NAME);
  return (
    `DbmoveOperation IN (${KINDS.map((k) => `'${k}'`).join(', ')}) AND (DbmoveTarget = '${environment}' OR (DbmoveOperation = 'export' AND DbmoveSource = '${environment}'))` +
    taskQueueClause(taskQueue)
  );
}

function describeCandidate(info: ExecutionInfo, environment: string): string {
  const sa = info.searchAttributes;
  const bySource = sa.DbmoveOperation === 'export' && sa.DbmoveSource === environment;
  return `${info.workflowId} (${bySource ? `export of ${environment}` : `${sa.DbmoveOperation ?? info.type} of ${environment}`}, ${sa.DbmovePhase ?? info.status}, started ${info.startTime.toISOString()})`;
}

/** Newest first by start time, whatever the state: the order the visibility store does not promise. */
const newestFirst = (a: ExecutionInfo, b: ExecutionInfo) => b.startTime.getTime() - a.startTime.getTime();

/**
 * An operation by id, or by an environment's name. A name resolves only to operations whose
 * target is that environment, and to exports of it (their source), newest first whatever
 * their state; with `openOnly` (decisions that change something) it must match exactly one
 * open operation, or the candidates are named. Any workflow id dbmove started resolves by id,
 * the runs of schedules included (`<schedule id>-<nominal time>`).
 */
export async function resolveOperation(source: StatusSource, ref: string, options: ResolveOptions = {}): Promise<ResolvedOperation> {
  const reader = readerOf(source);
  const looksLikeId = GENERATED_ID.test(ref) || SCHEDULED_RUN.test(ref) || !ENVIRONMENT_NAME.test(ref);
  const environments = looksLikeId ? undefined : options.environments?.();
  const isEnvironment = !looksLikeId && (environments ? environments.includes(ref) : true);
  if (!isEnvironment) {
    if (!OPERATION_ID.test(ref))
      throw new UsageError(`"${ref.slice(0, 80)}" is neither an environment of the catalog nor an operation id (dbmove list shows both)`);
    if (options.trustIds && !options.openOnly) return { workflowId: ref, matchedBy: 'id' };
    try {
      const info = await reader.describe(ref);
      return { workflowId: info.workflowId, runId: info.runId, kind: info.searchAttributes.DbmoveOperation as string | undefined, matchedBy: 'id', info };
    } catch (err) {
      if (err instanceof ExecutionNotFoundError)
        throw new OperationNotFoundError(
          ref,
          environments ? 'it is not an environment of the catalog, and Temporal has no workflow with that id' : 'Temporal has no workflow with that id',
        );
      throw err;
    }
  }
  const query = environmentQuery(ref, options.taskQueue) + (options.openOnly ? " AND ExecutionStatus = 'Running'" : '');
  const found = (await reader.list(query, 500)).sort(newestFirst);
  const resolved = (info: ExecutionInfo): ResolvedOperation => ({
    workflowId: info.workflowId,
    runId: info.runId,
    kind: info.searchAttributes.DbmoveOperation as string | undefined,
    matchedBy: info.searchAttributes.DbmoveTarget === ref ? 'target' : 'source',
    environment: ref,
    info,
  });
  if (options.openOnly) {
    if (found.length === 1) return resolved(found[0]);
    if (found.length > 1)
      throw new AmbiguousOperationError(
        `${ref} has ${found.length} open operations: ${found.map((f) => describeCandidate(f, ref)).join('; ')}. Name the one you mean by its id`,
      );
    const newest = (await reader.list(environmentQuery(ref, options.taskQueue), 500)).sort(newestFirst)[0];
    throw new OperationNotFoundError(
      ref,
      newest ? `${ref} has no open operation (the newest, ${describeCandidate(newest, ref)}, is closed)` : `there is no operation on environment ${ref}`,
    );
  }
  if (found.length) return resolved(found[0]);
  const asSource = (await reader.list(`DbmoveSource = '${ref}'${taskQueueClause(options.taskQueue)}`, 500)).sort(newestFirst);
  throw new OperationNotFoundError(
    ref,
    asSource.length
      ? `no operation targets ${ref}; ${ref} was only the source of ${asSource.length} (newest: ${asSource[0].workflowId} → ${asSource[0].searchAttributes.DbmoveTarget ?? '?'}), which belong to their targets`
      : `there is no operation on environment ${ref}`,
  );
}

/** The running step's live figures, from the pending activity Temporal describes. */
export function liveProgress(status: OperationStatus, activities: PendingActivity[], now = Date.now()): Progress | undefined {
  const running = status.steps.find((s) => s.status === 'running');
  const stepName = running?.name ?? (status.phase === 'ROLLING_BACK' ? 'ROLLBACK' : undefined);
  if (!stepName) return undefined;
  const beat = (a: PendingActivity) => a.heartbeat as Partial<Progress> | undefined;
  const activity = activities.find((a) => beat(a)?.step === stepName) ?? activities.find((a) => a.state === 'STARTED') ?? activities[0];
  if (!activity) return undefined;
  const heartbeat = beat(activity);
  const percent = typeof heartbeat?.percent === 'number' && heartbeat.step === stepName ? heartbeat.percent : undefined;
  const progress: Progress = {
    step: stepName,
    percent: percent ?? 0,
    detail: percent !== undefined ? heartbeat?.detail : undefined,
    attempt: activity.attempt,
    attemptStartedAt: activity.lastStartedTime?.toISOString(),
    lastHeartbeatAt: activity.lastHeartbeatTime?.toISOString(),
    lastFailure: activity.lastFailure,
  };
  if (activity.state === 'SCHEDULED') {
    progress.waitingForWorker = true;
    progress.quietMs = Math.max(0, now - (activity.scheduledTime ?? activity.lastStartedTime ?? new Date(now)).getTime());
    return progress;
  }
  const since = activity.lastHeartbeatTime ?? activity.lastStartedTime;
  if (since) progress.quietMs = Math.max(0, now - since.getTime());
  const started = activity.lastStartedTime?.getTime();
  if (percent !== undefined && started !== undefined && percent >= 1 && percent < 100 && now - started >= 2_000) {
    progress.remainingMs = Math.round(((now - started) * (100 - percent)) / percent);
  }
  return progress;
}

/** The workflow's status, with the running step's progress from its pending activity. */
export async function getStatus(source: StatusSource, handle: ExecutionRef): Promise<OperationStatus> {
  const reader = readerOf(source);
  const runId = handle.runId ?? handle.firstExecutionRunId;
  const [status, description] = await Promise.all([reader.queryStatus(handle.workflowId, runId), reader.describe(handle.workflowId, runId)]);
  const progress = liveProgress(status, description.pendingActivities);
  if (progress) status.progress = progress;
  return status;
}

export type DecisionKind = 'sign-off' | 'rollback' | 'retry';

/** Sends a decision as a validated update: it is accepted, or refused with the reason. */
export async function decide(handle: WorkflowHandle, kind: DecisionKind, input: DecisionInput): Promise<OperationStatus> {
  // The message definitions load @temporalio/workflow: only the commands that decide pay for it.
  const { retryUpdate, rollbackUpdate, signOffUpdate } = await import('../workflows/messages');
  const update = { 'sign-off': signOffUpdate, rollback: rollbackUpdate, retry: retryUpdate }[kind];
  return handle.executeUpdate(update, { args: [input] });
}
