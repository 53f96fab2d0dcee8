import type { OperationKind, OperationOptions } from '../../workflows/types';
import { CliContext } from '../context';
import { OperationFailed } from '../../common/errors';
import { startOperation } from '../../client/operations';
import { displayFor, followWithProgress } from '../progress';
import { renderStatus, statusJson } from '../render';
import { printJson } from './shared';
import { getStatusWhenReady } from './status';

export interface LaunchOptions {
  wait?: boolean;
  json?: boolean;
  id?: string;
}

/** Starts an operation, then either prints how to watch it or follows it to a resting phase. */
export async function launch<I extends OperationOptions & { source?: string; target?: string }>(
  ctx: CliContext,
  kind: OperationKind,
  workflowType: string,
  input: I,
  summary: string,
  opts: LaunchOptions,
): Promise<void> {
  const client = await ctx.client();
  const handle = await startOperation(client, kind, workflowType, input, { taskQueue: ctx.temporal().taskQueue, operationId: opts.id }, summary);
  const webUrl = ctx.workflowUrl(handle.workflowId);
  if (!opts.wait) {
    const status = await getStatusWhenReady(client, handle);
    if (opts.json) printJson(statusJson(status, { webUrl }));
    else process.stdout.write(`Started ${handle.workflowId}.\n  watch:   dbmove status ${handle.workflowId}\n  web UI:  ${webUrl}\n`);
    return;
  }
  const status = await followWithProgress(client, handle, { display: displayFor(Boolean(opts.json)) });
  if (opts.json) printJson(statusJson(status, { webUrl }));
  else process.stdout.write(`\n${renderStatus(status, webUrl)}\n`);
  if (status.phase !== 'AWAITING_SIGNOFF' && status.phase !== 'COMPLETED') {
    throw new OperationFailed(`${handle.workflowId} ended in ${status.phase}${status.failure ? `: ${status.failure.message}` : ''}`);
  }
}
