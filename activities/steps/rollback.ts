import type { Marker, StepOutcome } from '../../workflows/types';
import { adminSignIn, applicationOf } from '../application/for-target';
import { withdrawBroadcast } from '../notifications/broadcast';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

export function createRollbackActivities(deps: ActivityDeps) {
  return {
    /**
     * Compensation. Finds out from the target itself whether this operation's data went live
     * (the identity SWAP stamps in the platform's metadata), so it is right whether the
     * failure came before, during or after SWAP: before, drop staging, make sure the
     * application runs, and show the target is as it was; after, stop the application,
     * restore the marker, start it again and let Admin sign in.
     */
    async rollBack(input: { operationId: string; target: string; marker?: Marker }): Promise<StepOutcome> {
      return runStepActivity(deps, 'ROLLBACK', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        const app = applicationOf(deps, scope, target);
        const live = await engine.readIdentity(target);
        const notes: string[] = [];
        let restored = false;
        let unavailableWindowMs: number | undefined;
        let applicationUnavailableMs: number | undefined;
        if (live?.operationId === input.operationId) {
          if (!input.marker) throw new Error(`${target.name} holds this operation's data but no marker was recorded; restore it with dbmove restore`);
          await assertReplaceable(scope, input.target, 'Rollback');
          const stoppedAt = performance.now();
          if (app.configured) await app.stopAll(notes, `The rollback of ${target.name}`);
          const result = await engine.restoreToMarker(target, input.marker, input.operationId, scope.engineContext());
          restored = true;
          unavailableWindowMs = result.unavailableWindowMs;
          notes.push(...result.notes);
          if (app.configured) {
            const situation = `${target.name} was restored to ${input.marker.at}`;
            await app.startAll(notes, situation);
            await app.waitHealthy(notes, situation);
            applicationUnavailableMs = performance.now() - stoppedAt;
            const who = await adminSignIn(scope, target);
            if (who) await app.signIn(who.signInName, who.identityProvider, notes, situation);
          }
        }
        const dropped = await engine.dropStaging(target, input.operationId);
        if (dropped.length) notes.push(`Dropped ${dropped.map((h) => h.location).join(', ')}`);
        if (!restored) {
          const withdrawn = await withdrawBroadcast(scope, target, input.operationId);
          if (withdrawn) notes.push(withdrawn);
          // A SWAP that failed while stopping the application may have left services down.
          if (app.configured) await app.ensureRunning(notes, `${target.name} was never replaced`);
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
          details: { restored, unavailableWindowMs, applicationUnavailableMs },
        };
      });
    },
  };
}
