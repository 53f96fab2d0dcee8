import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';
import { applySchemaSync, describeSyncAction, planSchemaSync, summarizeSync } from '../sync/schema-sync';
import { runPlatformSync } from '../sync/platform-sync';
import { targetSchema } from '../sync/target-schema';

export function createSyncActivities(deps: ActivityDeps) {
  return {
    /**
     * SYNC: the target's own schema applied to the copied data: through the platform's own
     * database synchronisation when the catalog names one (databaseSync), else by dbmove's
     * comparison of the target's schema with the copy's.
     */
    async syncSchema(input: { operationId: string; target: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'SYNC', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        if (target.databaseSync) {
          const result = await runPlatformSync(deps, scope, target, input.operationId);
          return {
            summary: result.summary,
            activityMs: elapsed(started),
            notes: result.notes,
            details: { platformSync: true, ms: Math.round(result.durationMs) },
          };
        }
        const definition = await targetSchema(deps, target);
        const engine = scope.engine(target);
        const outcome = await withSession(engine.openStaging(target, input.operationId, scope.engineContext()), async (session) => {
          const plan = planSchemaSync(definition, await session.introspect(), session.dialect);
          return applySchemaSync(session, plan, target.name);
        });
        return {
          summary: outcome.applied.length ? summarizeSync(outcome.applied) : `the copied data already matches ${target.name}'s schema`,
          activityMs: elapsed(started),
          notes: [
            ...outcome.applied.map(describeSyncAction),
            ...(outcome.kept.length ? [`Kept, not defined by ${target.name}: ${outcome.kept.slice(0, 20).join(', ')}`] : []),
          ],
          details: { applied: outcome.applied.map((a) => ({ kind: a.kind, table: 'table' in a ? a.table : undefined })), kept: outcome.kept.length },
        };
      });
    },
  };
}
