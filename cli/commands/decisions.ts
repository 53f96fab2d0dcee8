import type { OperationStatus, Phase } from '../../workflows/types';
import type { DecisionKind } from '../../client/operations';
import { actor, CliContext } from '../context';
import { DecisionRefused, OperationFailed, UsageError } from '../../common/errors';
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

/**
 * The one open operation a decision acts on. By id it is that operation; by an environment's
 * name it must be the only open operation that targets it (or the only open export of it):
 * otherwise the candidates are named and nothing is sent.
 */
export async function resolveForDecision(ctx: CliContext, ref: string, what: string) {
  const { resolveOperation } = await import('../../client/operations');
  const resolved = await resolveOperation(await ctx.reader(), ref, {
    environments: () => ctx.environmentNames(),
    openOnly: true,
    taskQueue: ctx.temporal().taskQueue,
  });
  const info = resolved.info!;
  if (info.status !== 'RUNNING') {
    const { getStatus } = await import('../../client/operations');
    const closed = await getStatus(await ctx.reader(), { workflowId: info.workflowId, runId: info.runId }).catch(() => undefined);
    const signed = closed?.signedOff ? `; signed off by ${closed.signedOff.by} at ${closed.signedOff.at}` : '';
    throw new DecisionRefused(`${what} refused for ${info.workflowId}: the operation is already closed (${closed?.phase ?? info.status}${signed})`);
  }
  return resolved;
}

export const registerDecisions: Register = (program, ctx) => {
  for (const kind of ['sign-off', 'rollback', 'retry'] as DecisionKind[]) {
    program
      .command(`${kind} <operation>`)
      .description(
        `${DESCRIPTIONS[kind]} <operation> is an operation id, or an environment's name when exactly one open operation targets it (or is an export of it).`,
      )
      .option('--by <name>', "who decides (checked against the environment's approvers, recorded in the history)")
      .option('--note <text>', 'why, for the audit trail')
      .option('--no-wait', 'return as soon as the decision is accepted')
      .option('--json', 'print the resulting status as JSON')
      .addHelpText(
        'after',
        `\nExamples:\n  dbmove ${kind} uat --by alice --note "checked the ledger"\n  dbmove ${kind} refresh-uat-20261124t034013z-bffb --json`,
      )
      .action(async (ref: string, opts: { by?: string; note?: string; wait: boolean; json?: boolean }) => {
        if (opts.note !== undefined && opts.note.length > 1000) throw new UsageError('--note is longer than 1000 characters');
        const by = actor(opts.by);
        const resolved = await resolveForDecision(ctx, ref, kind);
        const client = await ctx.client();
        const { decide, getStatus } = await import('../../client/operations');
        const handle = client.workflow.getHandle(resolved.workflowId, resolved.runId);
        try {
          await decide(handle, kind, { by, note: opts.note });
        } catch (err) {
          if ((err as Error).name === 'WorkflowUpdateFailedError')
            throw new DecisionRefused(`${kind} refused for ${handle.workflowId}: ${reason(err).replace(/^(sign-off|rollback|retry) refused: /, '')}`);
          throw err;
        }
        const outcome = OUTCOMES[kind];
        let status: OperationStatus | undefined;
        if (opts.wait && kind === 'sign-off') {
          // Sign-off ends the workflow (after housekeeping); its phase may not change (ROLLED_BACK stays).
          await handle.result().catch(() => undefined);
          status = await getStatus(await ctx.reader(), resolved);
        } else if (opts.wait) {
          const { displayFor, followWithProgress } = await import('../progress');
          status = await followWithProgress(await ctx.reader(), resolved, { until: outcome.until, display: displayFor(Boolean(opts.json)) });
        }
        if (opts.json) printJson(status ? statusJson(status) : { operationId: handle.workflowId, accepted: kind });
        else if (status) process.stdout.write(`\n${renderStatus(status, ctx.workflowUrl(handle.workflowId))}\n`);
        else process.stdout.write(`${kind} accepted for ${handle.workflowId}\n`);
        if (status && !outcome.success.includes(status.phase))
          throw new OperationFailed(`${handle.workflowId} is in ${status.phase} after ${kind}${status.failure ? `: ${status.failure.message}` : ''}`);
      });
  }
};
