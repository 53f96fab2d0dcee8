import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { AttemptFence } from '../attempt-fence';

/** What an operation leaves behind goes at sign-off, cancellation, or the rollback of an export. */
export function createHousekeepingActivities(deps: ActivityDeps) {
  return {
    /** Sign-off housekeeping (or cancellation): remove staging and restore points. */
    async releaseHoldings(input: { operationId: string; target: string; keepRestorePoint: boolean }): Promise<StepOutcome> {
      return runStepActivity(deps, 'HOUSEKEEPING', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        const released = await engine.releaseHoldings(target, input.operationId, { keepRestorePoint: input.keepRestorePoint });
        const left = await engine.holdings(target, input.operationId);
        // Nothing of the operation runs any more: its fence goes too.
        await AttemptFence.release(deps.stateDir, input.operationId);
        return {
          summary: released.length ? `released ${released.map((h) => `${h.kind} ${h.location}`).join(', ')}` : 'nothing held on disk',
          activityMs: elapsed(started),
          notes: left.length ? [`Still held: ${left.map((h) => h.location).join(', ')}`] : [],
          holdings: left,
        };
      });
    },

    /** Rollback or cancellation of an export: the temporary copy and this operation's own backup go. */
    async discardExport(input: { operationId: string; source: string; output: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'ROLLBACK', input.operationId, async (scope) => {
        const started = performance.now();
        const source = scope.environment(input.source);
        const engine = scope.engine(source);
        const dropped = await engine.dropStaging(source, input.operationId);
        const removed = (await engine.removeBackup?.(source, input.output, input.operationId)) ?? false;
        return {
          summary: `${dropped.length ? 'temporary copy removed' : 'no temporary copy left'}; ${removed ? `${input.output} removed` : 'no backup of this operation to remove'}`,
          activityMs: elapsed(started),
          notes: [`${input.source} was only ever read`],
          holdings: [],
        };
      });
    },
  };
}
