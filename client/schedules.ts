import { Client, ScheduleDescription, ScheduleHandle, ScheduleNotFoundError, ScheduleOptions, ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import { assertName, ENVIRONMENT_NAME } from '../config/names';
import { parseDuration } from '../config/durations';
import type { OnFailure, RefreshInput } from '../workflows/types';
import { UsageError } from '../common/errors';
import { searchAttributes } from './operations';

/**
 * Recurring refreshes on Temporal Schedules. Each run is an ordinary refresh workflow (same
 * search attributes, same runbook, same sign-off), started by the Temporal service itself,
 * so nothing of dbmove needs to be running at 02:00 except a worker. Overlap policy SKIP:
 * a tick that comes while the previous refresh is still open (for example waiting for
 * sign-off) is skipped, never queued.
 */
export const SCHEDULE_ID = /^[a-z][a-z0-9-]{2,79}$/;

export interface RefreshScheduleOptions {
  source: string;
  target: string;
  /** Five-field cron ("0 2 * * SUN"), in `timezone`. */
  cron?: string;
  /** Or a fixed interval ("1d", "6h"; tests use seconds). */
  every?: string;
  timezone?: string;
  autoSignOff: boolean;
  onFailure: OnFailure;
  createdBy: string;
  taskQueue: string;
  scheduleId?: string;
  tuning?: RefreshInput['tuning'];
}

export function defaultScheduleId(source: string, target: string): string {
  return `refresh-${target}-from-${source}`;
}

export function scheduleSpec(options: Pick<RefreshScheduleOptions, 'cron' | 'every' | 'timezone'>): ScheduleSpec {
  if (Boolean(options.cron) === Boolean(options.every)) throw new UsageError('Give exactly one of --cron "0 2 * * SUN" or --every 1d');
  if (options.cron) {
    if (options.cron.trim().split(/\s+/).length !== 5) {
      throw new UsageError(
        `--cron "${options.cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week), for example "0 2 * * SUN"`,
      );
    }
    return { cronExpressions: [options.cron.trim()], timezone: options.timezone ?? 'UTC' };
  }
  let ms: number;
  try {
    ms = parseDuration(options.every!);
  } catch (err) {
    throw new UsageError(`--every: ${(err as Error).message}`);
  }
  if (ms < 1000) throw new UsageError('--every must be at least 1s');
  return { intervals: [{ every: ms }], timezone: options.timezone ?? 'UTC' };
}

/** Creates the schedule; the started workflow ids are <scheduleId>-<nominal time>. */
/**
 * The schedule to create, validated (names, id, cron or interval) without reaching Temporal,
 * so that bad input is refused as such even when the server is down.
 */
export function refreshScheduleOptions(options: RefreshScheduleOptions): ScheduleOptions {
  assertName('environment name', options.source, ENVIRONMENT_NAME);
  assertName('environment name', options.target, ENVIRONMENT_NAME);
  const scheduleId = options.scheduleId ?? defaultScheduleId(options.source, options.target);
  assertName('schedule id', scheduleId, SCHEDULE_ID);
  const input: RefreshInput = {
    source: options.source,
    target: options.target,
    requestedBy: `schedule ${scheduleId} (created by ${options.createdBy})`,
    onFailure: options.onFailure,
    autoSignOff: options.autoSignOff,
    ...(options.tuning ? { tuning: options.tuning } : {}),
  };
  const when = options.cron ? `cron "${options.cron}" ${options.timezone ?? 'UTC'}` : `every ${options.every}`;
  return {
    scheduleId,
    spec: scheduleSpec(options),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    action: {
      type: 'startWorkflow',
      workflowType: 'refresh',
      workflowId: scheduleId,
      taskQueue: options.taskQueue,
      args: [input],
      typedSearchAttributes: searchAttributes('refresh', options.source, options.target),
      memo: { requestedBy: input.requestedBy },
      staticSummary: `scheduled refresh ${options.source} → ${options.target}`,
      staticDetails: `Started by schedule ${scheduleId} (${when}), created by ${options.createdBy}${options.autoSignOff ? '; signed off automatically only once VERIFY passed and SWAP completed' : ''}. Where it stands and what to do next: **Current Details** on this page, or \`dbmove status <this workflow id>\`.`,
    },
    memo: { dbmove: { source: options.source, target: options.target, autoSignOff: options.autoSignOff, when, createdBy: options.createdBy } },
  };
}

export interface ScheduleRow {
  scheduleId: string;
  source?: string;
  target?: string;
  when: string;
  autoSignOff: boolean;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recentRuns: { scheduledAt: string; workflowId: string }[];
}

export function scheduleRow(description: ScheduleDescription): ScheduleRow {
  const memo = (description.memo?.dbmove ?? {}) as { source?: string; target?: string; autoSignOff?: boolean; when?: string };
  return {
    scheduleId: description.scheduleId,
    source: memo.source,
    target: memo.target,
    when: memo.when ?? JSON.stringify(description.spec),
    autoSignOff: Boolean(memo.autoSignOff),
    paused: description.state.paused,
    note: description.state.note,
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    recentRuns: description.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
  };
}

/** dbmove's schedules: those whose action starts a refresh. */
export async function listRefreshSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.action?.type !== 'startWorkflow' || summary.action.workflowType !== 'refresh') continue;
    try {
      rows.push(scheduleRow(await client.schedule.getHandle(summary.scheduleId).describe()));
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err; // deleted meanwhile
    }
  }
  return rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

export async function existingSchedule(client: Client, scheduleId: string): Promise<ScheduleHandle> {
  assertName('schedule id', scheduleId, SCHEDULE_ID);
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UsageError(`No schedule ${scheduleId}; dbmove schedule list shows them`);
    throw err;
  }
  return handle;
}
