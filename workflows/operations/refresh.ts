import { runOperation } from '../operation';
import type { OperationResult, RefreshInput } from '../types';
import { step, type Recipe } from './recipe';

/**
 * Refresh a sandbox from production (or from another sandbox), as Lifecycle Services does,
 * but with the target online until SWAP, every step visible, and a way back at each point.
 * The input carries environment names only; activities resolve the catalog and credentials
 * themselves, so nothing secret ever enters the history.
 */
export const refreshRecipe: Recipe<RefreshInput> = {
  kind: 'refresh',
  effect: { kind: 'replace' },
  route: ({ source, target }) => ({ source, target }),
  describe: (input) => `Refresh of ${input.target} from ${input.source} requested by ${input.requestedBy}`,
  precheck: (a, { source, target }, operationId) => a.precheckRefresh({ operationId, source, target }),
  steps: [
    step('MARKER', (a, { target }, operationId) => a.markPointInTime({ operationId, target })),
    step('COPY', (a, { source, target }, operationId) => a.copyToStaging({ operationId, source, target })),
    step('SCRUB', (a, { target }, operationId) => a.scrubStaging({ operationId, target, policy: 'refresh' })),
    step('SYNC', (a, { target }, operationId) => a.syncSchema({ operationId, target })),
    step('POSTCONFIG', (a, { target }, operationId) => a.postConfigure({ operationId, target })),
    step('VERIFY', (a, { target }, operationId) => a.verifyStaging({ operationId, target, policy: 'refresh', postConfigured: true })),
    step('NOTIFY', (a, { target }, operationId) => a.notifyUsers({ operationId, target })),
    step('SWAP', (a, { target }, operationId) => a.swapIn({ operationId, target })),
  ],
};

export async function refresh(input: RefreshInput): Promise<OperationResult> {
  return runOperation(refreshRecipe, input);
}
