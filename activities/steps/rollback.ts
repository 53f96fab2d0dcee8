import type { Marker, StepOutcome } from '../../workflows/types';
import { readEnvironmentFacts } from '../environment-facts';
import { withdrawBroadcast } from '../notifications/broadcast';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';

export function createRollbackActivities(deps: ActivityDeps) {
  return {
    /**
     * Compensation. Finds out from the target itself whether this operation's data went live
     * (the identity stamp), so it is right whether the failure came before, during or after
     * SWAP: before, drop staging and show the target is as it was; after, restore the marker.
     */
    async rollBack(input: { operationId: string; target: string; marker?: Marker }): Promise<StepOutcome> {
      return runStepActivity(deps, 'ROLLBACK', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        const live = await withSession(engine.openLive(target), readEnvironmentFacts);
        const notes: string[] = [];
        let restored = false;
        let unavailableWindowMs: number | undefined;
        if (live.lastOperation === input.operationId) {
          if (!input.marker) throw new Error(`${target.name} holds this operation's data but no marker was recorded; restore it with dbmove restore`);
          await assertReplaceable(scope, input.target, 'Rollback');
          const result = await engine.restoreToMarker(target, input.marker, input.operationId, scope.engineContext());
          restored = true;
          unavailableWindowMs = result.unavailableWindowMs;
          notes.push(...result.notes);
        }
        const dropped = await engine.dropStaging(target, input.operationId);
        if (dropped.length) notes.push(`Dropped ${dropped.map((h) => h.location).join(', ')}`);
        if (!restored) {
          const withdrawn = await withdrawBroadcast(scope, target, input.operationId);
          if (withdrawn) notes.push(withdrawn);
        }
        if (!restored && input.marker) {
          const comparison = await engine.compareWithMarker(target, input.marker);
          if (comparison === 'identical') notes.push(`${target.name} is byte for byte as it was at the marker (${input.marker.at})`);
          if (comparison === 'changed') notes.push(`${target.name} changed since the marker, through its own users (this operation never wrote it)`);
        }
        return {
          summary: restored ? `${target.name} restored to ${input.marker!.at}` : `staging dropped; ${target.name} was never replaced`,
          activityMs: elapsed(started),
          notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { restored, unavailableWindowMs },
        };
      });
    },
  };
}
