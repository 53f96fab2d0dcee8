import { DecisionRefused, OperationFailed } from '../../common/errors';
import { renderStatus } from '../render';
import { resolveForDecision } from './decisions';
import { Register } from './shared';

export const registerCancel: Register = (program, ctx) => {
  program
    .command('cancel <operation>')
    .description(
      "Cancel an operation before SWAP: its staging copy and restore points are removed and the target stays as it was. After SWAP a cancel is refused: roll back instead. <operation> is an operation id, or an environment's name when exactly one open operation targets it.",
    )
    .addHelpText('after', '\nExamples:\n  dbmove cancel uat\n  dbmove cancel refresh-uat-20261124t034013z-bffb')
    .action(async (ref: string) => {
      const resolved = await resolveForDecision(ctx, ref, 'cancel');
      const client = await ctx.client();
      await client.workflow.getHandle(resolved.workflowId, resolved.runId).cancel();
      const { displayFor, followWithProgress } = await import('../progress');
      const status = await followWithProgress(await ctx.reader(), resolved, {
        until: ['CANCELLED', 'AWAITING_SIGNOFF', 'ROLLED_BACK', 'COMPLETED', 'FAILED'],
        done: (s) => s.phase === 'CANCELLED' || s.decisions.some((d) => d.kind === 'cancel' && !d.accepted),
        display: displayFor(false),
      });
      const refused = status.decisions.some((d) => d.kind === 'cancel' && !d.accepted);
      process.stdout.write(`${renderStatus(status, ctx.workflowUrl(resolved.workflowId))}\n`);
      if (refused)
        throw new DecisionRefused(`Cancellation refused: ${status.target} was already swapped. Roll back instead: dbmove rollback ${resolved.workflowId}`);
      if (status.phase !== 'CANCELLED') throw new OperationFailed(`${resolved.workflowId} is in ${status.phase}; it was not cancelled`);
    });
};
