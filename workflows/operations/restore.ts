import { runOperation } from '../operation';
import type { OperationResult, RestoreInput } from '../types';
import { step, type Recipe } from './recipe';

/**
 * Point-in-time restore of a sandbox to its own earlier state. The target's present state is
 * marked first, so the restore itself can be rolled back; the data restored is the target's
 * own, so there is nothing to scrub or reconfigure. The restore returns exactly the state at
 * the time asked, or PRECHECK refuses it, unless the nearest earlier restorable state was
 * accepted (`nearest`) or a restore point was named (`point`); the status names the time
 * whose state was restored either way.
 */
export const restoreRecipe: Recipe<RestoreInput> = {
  kind: 'restore',
  effect: { kind: 'replace' },
  route: ({ target }) => ({ target }),
  describe: (input) => `Restore of ${input.target} to ${input.to} requested by ${input.requestedBy}`,
  precheck: (a, { target, to, nearest, point }, operationId) => a.precheckRestore({ operationId, target, to, nearest, point }),
  steps: [
    step('MARKER', (a, { target }, operationId) => a.markPointInTime({ operationId, target })),
    step('RESTORE', (a, { target, to, nearest, point }, operationId) => a.restorePointInTime({ operationId, target, to, nearest, point })),
    step('NOTIFY', (a, { target }, operationId) => a.notifyUsers({ operationId, target })),
    step('SWAP', (a, { target }, operationId) => a.swapIn({ operationId, target })),
  ],
};

export async function restoreDatabase(input: RestoreInput): Promise<OperationResult> {
  return runOperation(restoreRecipe, input);
}
