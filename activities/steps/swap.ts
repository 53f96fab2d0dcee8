import type { StepOutcome } from '../../workflows/types';
import { readEnvironmentFacts } from '../environment-facts';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';

export function createSwapActivities(deps: ActivityDeps) {
  return {
    /** SWAP: staging becomes the target; the only moment it is unavailable. */
    async swapIn(input: { operationId: string; target: string }): Promise<StepOutcome & { unavailableWindowMs: number }> {
      return runStepActivity(deps, 'SWAP', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'SWAP');
        const engine = scope.engine(target);
        // The operation's own stamp in the data (POSTCONFIG, RESTORE) tells a crashed attempt's swap from none.
        const holdsOperation = async () => (await withSession(engine.openLive(target), readEnvironmentFacts)).lastOperation === input.operationId;
        const swap = await engine.swapIn(target, input.operationId, scope.engineContext(), holdsOperation);
        return {
          summary: swap.resumed
            ? `already swapped by an earlier attempt`
            : `${target.name} replaced; unavailable for ${swap.unavailableWindowMs.toFixed(2)} ms`,
          activityMs: elapsed(started),
          notes: swap.notes,
          unavailableWindowMs: swap.unavailableWindowMs,
          holdings: await engine.holdings(target, input.operationId),
          details: { unavailableWindowMs: swap.unavailableWindowMs, swapMs: Math.round(swap.durationMs) },
        };
      });
    },
  };
}
