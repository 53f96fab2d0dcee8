import type { StepOutcome } from '../../workflows/types';
import { adminSignIn, applicationOf } from '../application/for-target';
import { assertReplaceable } from '../production-guard';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

export interface SwapOutcome extends StepOutcome {
  /** The database switch itself: the moment the live name points at neither database. */
  unavailableWindowMs: number;
  /** As the application's users see it: from the first service stopped to all healthy again. */
  applicationUnavailableMs?: number;
}

export function createSwapActivities(deps: ActivityDeps) {
  return {
    /**
     * SWAP: staging becomes the target, the application around it stopped and started again
     * (Microsoft's procedure: stop the AOS, batch and Management Reporter services, switch the
     * database, start them), then the environment administrator signs in through the
     * application. The identity goes onto staging first, so it goes live in the same switch.
     */
    async swapIn(input: { operationId: string; target: string }): Promise<SwapOutcome> {
      return runStepActivity(deps, 'SWAP', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'SWAP');
        const engine = scope.engine(target);
        const app = applicationOf(deps, scope, target);
        const notes: string[] = [];
        const holdsOperation = async () => (await engine.readIdentity(target))?.operationId === input.operationId;
        // A retry after the switch (the application did not come back) must not stop it again before a no-op swap.
        const alreadyLive = await holdsOperation();
        let stoppedAt: number | undefined;
        if (!alreadyLive) {
          await engine
            .stampStagingIdentity(target, input.operationId, {
              environment: target.name,
              type: target.type,
              operationId: input.operationId,
              stampedAt: new Date().toISOString(),
            })
            .catch((err: Error) => {
              throw new Error(`Nothing to swap in for ${target.name}: the staging database of ${input.operationId} could not be stamped (${err.message})`);
            });
          if (app.configured) {
            stoppedAt = performance.now();
            await app.stopAll(notes, `The swap of ${target.name}`);
          }
        }
        const swap = await engine.swapIn(target, input.operationId, scope.engineContext(), holdsOperation);
        notes.push(...swap.notes);
        let applicationUnavailableMs: number | undefined;
        let signedIn: string | undefined;
        if (app.configured) {
          const situation = `${target.name} now holds the new data`;
          await app.startAll(notes, situation);
          await app.waitHealthy(notes, situation);
          if (stoppedAt !== undefined) applicationUnavailableMs = performance.now() - stoppedAt;
          const who = await adminSignIn(scope, target);
          if (who) signedIn = await app.signIn(who.signInName, who.identityProvider, notes, situation);
          else notes.push(`No Admin account to sign in with on ${target.name}`);
        } else {
          notes.push(`${target.name} names no application services (application in the catalog): nothing was stopped or started around the switch`);
        }
        const parts = [
          swap.resumed ? 'already swapped by an earlier attempt' : `${target.name} replaced; file swap ${swap.unavailableWindowMs.toFixed(2)} ms`,
          ...(applicationUnavailableMs !== undefined ? [`application unavailable ${(applicationUnavailableMs / 1000).toFixed(2)} s (stop to healthy)`] : []),
          ...(alreadyLive && app.configured ? ['application started and healthy'] : []),
          ...(signedIn ? ['Admin signed in through the application'] : []),
        ];
        return {
          summary: parts.join('; '),
          activityMs: elapsed(started),
          notes,
          unavailableWindowMs: swap.unavailableWindowMs,
          applicationUnavailableMs,
          holdings: await engine.holdings(target, input.operationId),
          details: {
            unavailableWindowMs: swap.unavailableWindowMs,
            applicationUnavailableMs,
            swapMs: Math.round(swap.durationMs),
            signedIn: signedIn ?? null,
          },
        };
      });
    },
  };
}
