import type { EnvironmentConfig } from '../../config/catalog';
import type { Marker, StepOutcome } from '../../workflows/types';
import { ActivityDeps, ActivityScope, elapsed, runStepActivity, SafetyCheckFailed, VerificationFailed } from '../deps';
import { readEnvironmentFacts } from '../environment-facts';
import { countScrubPolicy } from '../policy/apply-policy';
import { withdrawBroadcast } from '../notifications/broadcast';
import { withSession } from '../sessions';
import { postConfigAllowances, smtpPasswordFor } from './post-configure';
import { policyFor, PolicyKind } from './prepare';

/**
 * The last line of defence before a database is replaced: re-read, at the moment of use,
 * both the catalog and the live database's own identity, so that neither a catalog edited
 * mid-operation nor a wrong path can turn production into a target.
 */
export async function assertReplaceable(scope: ActivityScope, targetName: string, what: string): Promise<EnvironmentConfig> {
  const target = scope.environment(targetName);
  if (target.type === 'production') {
    throw new SafetyCheckFailed(`${what} refused: the catalog now lists ${target.name} as a production environment, and dbmove never replaces production. Roll back or cancel this operation`);
  }
  const engine = scope.engine(target);
  const facts = await withSession(engine.openLive(target), readEnvironmentFacts);
  if (facts.environmentType === 'production') {
    throw new SafetyCheckFailed(`${what} refused: the database behind ${target.name} says it is the production environment "${facts.environmentName}". Correct the catalog, then roll back this operation`);
  }
  if (facts.environmentName && facts.environmentName !== target.name) {
    throw new SafetyCheckFailed(`${what} refused: the database behind ${target.name} belongs to "${facts.environmentName}". Correct the catalog, then roll back this operation`);
  }
  return target;
}

export function createFinishActivities(deps: ActivityDeps) {
  return {
    /** VERIFY: nothing on the scrub list is left; only Admin and the listed users are enabled. */
    async verifyStaging(input: { operationId: string; target: string; policy: PolicyKind; policyEnvironment?: string; postConfigured: boolean }): Promise<StepOutcome> {
      return runStepActivity(deps, 'VERIFY', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const policy = policyFor(input.policy, scope.environment(input.policyEnvironment ?? input.target));
        const engine = scope.engine(target);
        // Rows POSTCONFIG put back are the target's own; only then may they be there.
        const allowances = input.postConfigured ? postConfigAllowances(target, smtpPasswordFor(deps, target)) : {};
        const { violations, enabled, identity } = await withSession(engine.openStaging(target, input.operationId), async (session) => ({
          violations: await countScrubPolicy(session, policy, allowances),
          enabled: (await session.query<{ ID: string }>(`SELECT ${session.dialect.quote('ID')} AS ID FROM ${session.dialect.quote('UserInfo')} WHERE ${session.dialect.quote('ENABLE')} <> 0 ORDER BY 1`)).map((r) => r.ID),
          identity: await readEnvironmentFacts(session),
        }));
        const left = violations.filter((v) => v.rows > 0);
        const problems = left.map((v) => `${v.description}: ${v.rows} rows left in ${v.table}`);
        if (input.postConfigured && identity.environmentName !== target.name) problems.push(`the data does not carry ${target.name}'s identity`);
        if (problems.length) throw new VerificationFailed(`VERIFY found what must not travel: ${problems.join('; ')}. Fix the scrub policy or the data, then retry SCRUB's successors by retrying VERIFY, or roll back`);
        return {
          summary: `${violations.length} checks over ${policy.elements.length} elements passed; enabled users: ${enabled.join(', ') || 'none'}`,
          activityMs: elapsed(started),
          notes: [`Nothing on the scrub list remains; users enabled: ${enabled.join(', ')}`],
          details: { checks: violations.length, enabledUsers: enabled },
        };
      });
    },

    /** SWAP: staging becomes the target; the only moment it is unavailable. */
    async swapIn(input: { operationId: string; target: string }): Promise<StepOutcome & { unavailableWindowMs: number }> {
      return runStepActivity(deps, 'SWAP', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'SWAP');
        const engine = scope.engine(target);
        const swap = await engine.swapIn(target, input.operationId, scope.engineContext());
        return {
          summary: swap.resumed ? `already swapped by an earlier attempt` : `${target.name} replaced; unavailable for ${swap.unavailableWindowMs.toFixed(2)} ms`,
          activityMs: elapsed(started),
          notes: swap.notes,
          unavailableWindowMs: swap.unavailableWindowMs,
          holdings: await engine.holdings(target, input.operationId),
          details: { unavailableWindowMs: swap.unavailableWindowMs, swapMs: Math.round(swap.durationMs) },
        };
      });
    },

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

    /** Sign-off housekeeping (or cancellation): remove staging and restore points. */
    async releaseHoldings(input: { operationId: string; target: string; keepRestorePoint: boolean }): Promise<StepOutcome> {
      return runStepActivity(deps, 'HOUSEKEEPING', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        const released = await engine.releaseHoldings(target, input.operationId, { keepRestorePoint: input.keepRestorePoint });
        const left = await engine.holdings(target, input.operationId);
        return {
          summary: released.length ? `released ${released.map((h) => `${h.kind} ${h.location}`).join(', ')}` : 'nothing held on disk',
          activityMs: elapsed(started),
          notes: left.length ? [`Still held: ${left.map((h) => h.location).join(', ')}`] : [],
          holdings: left,
        };
      });
    },
  };
}
