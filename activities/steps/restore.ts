import { formatBytes } from '../../common/format';
import type { RestoredState, StepOutcome } from '../../workflows/types';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

/** RESTORE prepares staging from a backup (import) or from the target's own past (point-in-time restore). */
export function createRestoreActivities(deps: ActivityDeps) {
  return {
    /** RESTORE (import): the checked backup goes into the target's staging database. */
    async importBackup(input: { operationId: string; target: string; input: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'RESTORE', input.operationId, async (scope) => {
        const started = performance.now();
        // Checked again at the moment of use: a catalog edited since PRECHECK cannot aim a restore at production.
        const target = await assertReplaceable(scope, input.target, 'RESTORE');
        const engine = scope.engine(target);
        const copy = await engine.importToStaging(target, input.input, input.operationId, scope.engineContext());
        return {
          summary: `${input.input} restored into ${target.name}'s staging (${formatBytes(copy.bytes)})`,
          activityMs: elapsed(started),
          notes: copy.notes,
          holdings: await engine.holdings(target, input.operationId),
        };
      });
    },

    /**
     * RESTORE (point in time): the target exactly as it was at the time asked (or, when the
     * request accepted it, at the nearest earlier restorable time), into staging (SWAP stamps it
     * with this operation). The outcome names the time whose state it is.
     */
    async restorePointInTime(input: { operationId: string; target: string; to: string; nearest?: boolean; point?: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'RESTORE', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'RESTORE');
        const engine = scope.engine(target);
        // Exactly the time asked, or what the request accepted instead; the engine refuses anything else.
        const restored = await engine.restoreToStaging(target, input.to, input.operationId, scope.engineContext(), {
          nearest: input.nearest,
          point: input.point,
        });
        const state: RestoredState = {
          requested: new Date(input.to).toISOString(),
          stateAt: restored.restoredTo,
          exact: restored.exact,
          ...(restored.point ? { restorePoint: restored.point.id } : {}),
        };
        return {
          summary: restored.exact
            ? `${target.name} as of ${restored.restoredTo} prepared in staging (exactly the time asked)`
            : `${target.name} as of ${restored.restoredTo} prepared in staging (the nearest restorable state before ${state.requested}, as accepted)`,
          activityMs: elapsed(started),
          notes: restored.notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { restoredTo: restored.restoredTo, restored: state },
        };
      });
    },
  };
}
