import type { StepOutcome } from '../../workflows/types';
import { parseDuration } from '../../config/durations';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { postBroadcast } from '../notifications/broadcast';
import { assertReplaceable } from '../production-guard';

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    /**
     * NOTIFY: before the target goes offline, tell its users when (seeds: tutorial, "Message
     * online users"). The workflow then waits the lead time on a durable timer.
     */
    async notifyUsers(input: { operationId: string; target: string; expectedDowntimeMs?: number }): Promise<StepOutcome & { leadTimeMs: number }> {
      return runStepActivity(deps, 'NOTIFY', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        if (!target.notifications) {
          return { summary: `no downtime notice configured for ${target.name}`, activityMs: elapsed(started), notes: [], leadTimeMs: 0 };
        }
        // The broadcast writes into the live target: the same guard as SWAP, read afresh.
        await assertReplaceable(scope, input.target, 'NOTIFY');
        const leadTimeMs = parseDuration(target.notifications.broadcastLeadTime);
        const from = new Date(Date.now() + leadTimeMs);
        const to = new Date(from.getTime() + Math.max(60_000, input.expectedDowntimeMs ?? 60_000));
        const where = await postBroadcast(scope, target, { from, to, operationId: input.operationId });
        return {
          summary: `users of ${target.name} warned of downtime from ${from.toISOString()} (${where})`,
          activityMs: elapsed(started),
          notes: [`Broadcast posted ${Math.round(leadTimeMs / 60_000)} min ahead, until ${to.toISOString()}`],
          leadTimeMs,
        };
      });
    },
  };
}
