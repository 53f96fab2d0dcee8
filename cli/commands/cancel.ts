import { OperationFailed } from '../../common/errors';
import { findOperation } from '../../client/operations';
import { displayFor, followWithProgress } from '../progress';
import { renderStatus } from '../render';
import { Register } from './shared';

export const registerCancel: Register = (program, ctx) => {
  program
    .command('cancel <operation>')
    .description(
      'Cancel an operation before SWAP: its staging copy and restore points are removed and the target stays as it was. After SWAP a cancel is refused: roll back instead.',
    )
    .action(async (ref: string) => {
      const client = await ctx.client();
      const handle = await findOperation(client, ref);
      await handle.cancel();
      const status = await followWithProgress(client, handle, {
        until: ['CANCELLED', 'AWAITING_SIGNOFF', 'ROLLED_BACK', 'COMPLETED'],
        display: displayFor(false),
        intervalMs: 300,
      });
      const refused = status.decisions.some((d) => d.kind === 'cancel' && !d.accepted);
      process.stdout.write(`${renderStatus(status, ctx.workflowUrl(handle.workflowId))}\n`);
      if (status.phase !== 'CANCELLED') {
        throw new OperationFailed(
          refused
            ? `Cancellation refused: ${status.target} was already swapped. Roll back instead: dbmove rollback ${handle.workflowId}`
            : `${handle.workflowId} is in ${status.phase}; it was not cancelled`,
        );
      }
    });
};
