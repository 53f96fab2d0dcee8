import type { RefreshInput } from '../../workflows/types';
import { actor, OperationFailedError } from '../context';
import { startOperation } from '../operations';
import { displayFor, followOperation } from '../progress';
import { renderStatus, statusJson } from '../render';
import { oneOf, printJson, Register, requireEnvironment } from './shared';
import { getStatusWhenReady } from './status';

export const registerRefresh: Register = (program, ctx) => {
  program
    .command('refresh')
    .description('Refresh a sandbox from production (or from another sandbox). The target stays online until SWAP.')
    .requiredOption('--source <env>', 'environment to copy from (never written)')
    .requiredOption('--target <env>', 'sandbox to refresh')
    .option('--wait', 'follow the operation until it waits for sign-off (or fails), with live progress')
    .option('--json', 'print one JSON object (operationId, phase, steps) instead of text')
    .option('--on-failure <what>', 'wait: pause in FAILED for retry or rollback; rollback: roll back at once (unattended runs)', oneOf('wait', 'rollback'), 'wait')
    .option('--auto-sign-off', 'sign off automatically once VERIFY passed and SWAP completed (scheduled refreshes)')
    .option('--by <name>', 'who asks (recorded in the history); default DBMOVE_USER or your OS account')
    .option('--id <operationId>', 'operation id to use (default: refresh-<target>-<time>-<random>)')
    .addHelpText('after', '\nExamples:\n  dbmove refresh --source prod --target uat --wait\n  dbmove refresh --source prod --target train --on-failure rollback --json')
    .action(async (opts: { source: string; target: string; wait?: boolean; json?: boolean; onFailure: 'wait' | 'rollback'; autoSignOff?: boolean; by?: string; id?: string }) => {
      requireEnvironment(ctx, opts.source, 'source');
      requireEnvironment(ctx, opts.target, 'target');
      const input: RefreshInput = { source: opts.source, target: opts.target, requestedBy: actor(opts.by), onFailure: opts.onFailure, autoSignOff: Boolean(opts.autoSignOff) };
      const client = await ctx.client();
      const handle = await startOperation(client, 'refresh', 'refresh', input, { taskQueue: ctx.temporal().taskQueue, operationId: opts.id }, `refresh ${opts.source} → ${opts.target}`);
      if (!opts.wait) {
        const status = await getStatusWhenReady(client, handle);
        if (opts.json) printJson(statusJson(status, { webUrl: ctx.workflowUrl(handle.workflowId) }));
        else process.stdout.write(`Started ${handle.workflowId}.\n  watch:   dbmove status ${handle.workflowId}\n  web UI:  ${ctx.workflowUrl(handle.workflowId)}\n`);
        return;
      }
      const status = await followOperation(client, handle, { display: displayFor(Boolean(opts.json)) });
      if (opts.json) printJson(statusJson(status, { webUrl: ctx.workflowUrl(handle.workflowId) }));
      else process.stdout.write(`\n${renderStatus(status, ctx.workflowUrl(handle.workflowId))}\n`);
      if (status.phase !== 'AWAITING_SIGNOFF' && status.phase !== 'COMPLETED') {
        throw new OperationFailedError(`${handle.workflowId} ended in ${status.phase}${status.failure ? `: ${status.failure.message}` : ''}`);
      }
    });
};
