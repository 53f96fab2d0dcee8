import type { Marker, StepOutcome } from '../../workflows/types';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

export function createMarkerActivities(deps: ActivityDeps) {
  return {
    /** MARKER: the point in time rollback returns to; the target stays online. */
    async markPointInTime(input: { operationId: string; target: string }): Promise<StepOutcome & { marker: Marker }> {
      return runStepActivity(deps, 'MARKER', input.operationId, async (scope) => {
        const started = performance.now();
        // A restore point taken of the wrong database would later be restored as this one.
        const target = await assertReplaceable(scope, input.target, 'MARKER');
        const engine = scope.engine(target);
        const marker = await engine.markPointInTime(target, input.operationId, scope.engineContext());
        return {
          summary: `${target.name} can be returned to ${marker.at}`,
          activityMs: elapsed(started),
          notes: [`Restore point ${marker.restorePoint} recorded for ${target.name}`],
          marker,
          holdings: await engine.holdings(target, input.operationId),
        };
      });
    },
  };
}
