import { formatBytes } from '../../common/format';
import type { StepOutcome } from '../../workflows/types';
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

    /** RESTORE (point in time): the target as it was, into staging (SWAP stamps it with this operation). */
    async restorePointInTime(input: { operationId: string; target: string; to: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'RESTORE', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'RESTORE');
        const engine = scope.engine(target);
        const restored = await engine.restoreToStaging(target, input.to, input.operationId, scope.engineContext());
        return {
          summary: `${target.name} as of ${restored.restoredTo} prepared in staging`,
          activityMs: elapsed(started),
          notes: restored.notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { restoredTo: restored.restoredTo },
        };
      });
    },
  };
}
