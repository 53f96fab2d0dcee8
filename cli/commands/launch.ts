import type { OperationKind, OperationOptions, OperationStatus } from '../../workflows/types';
import { CliContext } from '../context';
import { OperationFailed, OperationRefused } from '../../common/errors';
import { isRefusal } from '../../common/checks';
import { bold, dim, red, renderStatus, statusJson } from '../render';
import { printJson } from './shared';

export interface LaunchOptions {
  wait?: boolean;
  json?: boolean;
  id?: string;
}

/**
 * What `--wait` says about where the operation rests, and whether that is success. A
 * FAILED operation has not ended: it waits for retry or rollback, and says so.
 */
export function restingOutcome(status: OperationStatus): { ok: boolean; message: string } {
  const id = status.operationId;
  switch (status.phase) {
    case 'AWAITING_SIGNOFF':
    case 'COMPLETED':
      return { ok: true, message: `${id} is in ${status.phase}` };
    case 'FAILED':
      return {
        ok: false,
        message: `${id} failed in ${status.failure?.step ?? 'a step'} and waits for a decision: ${status.failure?.message ?? ''} Retry it (dbmove retry ${id}) or roll it back (dbmove rollback ${id})`,
      };
    case 'ROLLBACK_FAILED':
      return { ok: false, message: `${id}'s rollback failed and waits for a decision: ${status.failure?.message ?? ''} Retry it: dbmove retry ${id}` };
    case 'ROLLED_BACK':
      return { ok: false, message: `${id} was rolled back${status.signedOff ? '' : ` and waits for sign-off (dbmove sign-off ${id})`}` };
    case 'REFUSED':
      return { ok: false, message: `${id} was refused at PRECHECK; nothing was touched` };
    case 'CANCELLED':
      return { ok: false, message: `${id} was cancelled` };
    default:
      return { ok: false, message: `${id} is in ${status.phase}` };
  }
}

/**
 * Refuses a request, before anything starts, by every rule the command line can judge itself
 * (client/environments.ts checksBeforeStart): exit code 1, the reasons and their fixes printed.
 */
export async function refuseBeforeStart(
  ctx: CliContext,
  request: { kind: OperationKind; source?: string; target?: string },
  opts: { json?: boolean },
  withLease: boolean,
): Promise<void> {
  const { checksBeforeStart } = await import('../../client/environments');
  const temporal = withLease ? { client: await ctx.client(), taskQueue: ctx.temporal().taskQueue } : undefined;
  const refusals = (await checksBeforeStart(ctx.catalog(), request, temporal)).filter(isRefusal);
  if (!refusals.length) return;
  if (opts.json) printJson({ operationId: null, phase: 'REFUSED', checks: refusals });
  else for (const c of refusals) process.stdout.write(`${red(`refused: ${c.message}`)}\n      fix: ${c.fix}\n`);
  throw new OperationRefused(`Refused before starting: ${refusals.map((c) => c.message).join('; ')}. Nothing was started`);
}

/**
 * Starts an operation, then either prints how to watch it or follows it to a resting phase.
 * The checks the command line can make itself (common/checks.ts, client/environments.ts)
 * refuse the request before anything starts.
 */
export async function launch<I extends OperationOptions & { source?: string; target?: string }>(
  ctx: CliContext,
  kind: OperationKind,
  workflowType: string,
  input: I,
  summary: string,
  opts: LaunchOptions,
): Promise<void> {
  if (opts.id !== undefined) {
    const { assertName, OPERATION_ID } = await import('../../config/names');
    assertName('operation id', opts.id, OPERATION_ID);
  }
  const client = await ctx.client();
  await refuseBeforeStart(ctx, { kind, source: input.source, target: input.target }, opts, true);
  const { startOperation } = await import('../../client/operations');
  const handle = await startOperation(client, kind, workflowType, input, { taskQueue: ctx.temporal().taskQueue, operationId: opts.id }, summary);
  const webUrl = ctx.workflowUrl(handle.workflowId);
  if (!opts.wait) {
    const { getStatusWhenReady } = await import('./status');
    const status = await getStatusWhenReady(ctx, handle.workflowId);
    if (opts.json) printJson(statusJson(status, { webUrl }));
    else process.stdout.write(`Started ${bold(handle.workflowId)}.\n  follow:  dbmove status ${handle.workflowId} --watch\n  ${dim(`web UI:  ${webUrl}`)}\n`);
    return;
  }
  const { displayFor, followWithProgress } = await import('../progress');
  const status = await followWithProgress(await ctx.reader(), handle, { display: displayFor(Boolean(opts.json)) });
  if (opts.json) printJson(statusJson(status, { webUrl }));
  else process.stdout.write(`\n${renderStatus(status, webUrl)}\n`);
  const outcome = restingOutcome(status);
  if (!outcome.ok) throw new OperationFailed(outcome.message);
}
