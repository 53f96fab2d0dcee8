import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { OperationStatus, Phase } from '../../workflows/types';
import { actor } from '../context';
import { OperationFailed, UsageError } from '../../common/errors';
import { decide, DecisionKind, findOperation, getStatus } from '../../client/operations';
import { displayFor, followWithProgress } from '../progress';
import { renderStatus, statusJson } from '../render';
import { printJson, reason, Register } from './shared';

const DESCRIPTIONS: Record<DecisionKind, string> = {
  'sign-off': 'Accept an operation waiting in AWAITING_SIGNOFF or ROLLED_BACK: removes its staging and restore points and frees the environment.',
  rollback: 'Return the target to the state before the operation (from FAILED, or after SWAP until sign-off).',
  retry: 'Run the failed step (or the failed rollback) again, once its cause is fixed.',
};

/** Where each decision leaves the operation, and which of those count as success. */
const OUTCOMES: Record<DecisionKind, { until: Phase[]; success: Phase[] }> = {
  'sign-off': { until: ['COMPLETED', 'ROLLED_BACK', 'FAILED'], success: ['COMPLETED', 'ROLLED_BACK'] },
  rollback: { until: ['ROLLED_BACK', 'ROLLBACK_FAILED'], success: ['ROLLED_BACK'] },
  retry: { until: ['AWAITING_SIGNOFF', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED'], success: ['AWAITING_SIGNOFF', 'ROLLED_BACK'] },
};

export const registerDecisions: Register = (program, ctx) => {
  for (const kind of ['sign-off', 'rollback', 'retry'] as DecisionKind[]) {
    program
      .command(`${kind} <operation>`)
      .description(`${DESCRIPTIONS[kind]} <operation> is an operation id or the target environment's name.`)
      .option('--by <name>', "who decides (checked against the environment's approvers, recorded in the history)")
      .option('--note <text>', 'why, for the audit trail')
      .option('--no-wait', 'return as soon as the decision is accepted')
      .option('--json', 'print the resulting status as JSON')
      .action(async (ref: string, opts: { by?: string; note?: string; wait: boolean; json?: boolean }) => {
        if (opts.note !== undefined && opts.note.length > 1000) throw new UsageError('--note is longer than 1000 characters');
        const client = await ctx.client();
        const handle = await findOperation(client, ref);
        const by = actor(opts.by);
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') {
          const closed = await getStatus(client, handle).catch(() => undefined);
          const signed = closed?.signedOff ? `; signed off by ${closed.signedOff.by} at ${closed.signedOff.at}` : '';
          throw new UsageError(
            `${kind} refused for ${handle.workflowId}: the operation is already closed (${closed?.phase ?? description.status.name}${signed})`,
          );
        }
        try {
          await decide(handle, kind, { by, note: opts.note });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new UsageError(`${kind} refused for ${handle.workflowId}: ${reason(err).replace(/^(sign-off|rollback|retry) refused: /, '')}`);
          throw err;
        }
        const outcome = OUTCOMES[kind];
        let status: OperationStatus | undefined;
        if (opts.wait && kind === 'sign-off') {
          // Sign-off ends the workflow (after housekeeping); its phase may not change (ROLLED_BACK stays).
          await handle.result().catch(() => undefined);
          status = await getStatus(client, handle);
        } else if (opts.wait) {
          status = await followWithProgress(client, handle, { until: outcome.until, display: displayFor(Boolean(opts.json)) });
        }
        if (opts.json) printJson(status ? statusJson(status) : { operationId: handle.workflowId, accepted: kind });
        else if (status) process.stdout.write(`\n${renderStatus(status, ctx.workflowUrl(handle.workflowId))}\n`);
        else process.stdout.write(`${kind} accepted for ${handle.workflowId}\n`);
        if (status && !outcome.success.includes(status.phase))
          throw new OperationFailed(`${handle.workflowId} is in ${status.phase} after ${kind}${status.failure ? `: ${status.failure.message}` : ''}`);
      });
  }
};
