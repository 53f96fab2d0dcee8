import { VerificationFailed } from '../../common/errors';
import type { StepOutcome } from '../../workflows/types';
import { readEnvironmentFacts } from '../environment-facts';
import { countScrubPolicy } from '../policy/apply-policy';
import { policyFor, type PolicyKind } from '../policy/policy-for';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';
import { postConfigAllowances, smtpPasswordFor } from './postconfig';

export function createVerifyActivities(deps: ActivityDeps) {
  return {
    /** VERIFY: nothing on the scrub list is left; only Admin and the listed users are enabled. */
    async verifyStaging(input: {
      operationId: string;
      target: string;
      policy: PolicyKind;
      policyEnvironment?: string;
      postConfigured: boolean;
    }): Promise<StepOutcome> {
      return runStepActivity(deps, 'VERIFY', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const policy = policyFor(input.policy, scope.environment(input.policyEnvironment ?? input.target));
        const engine = scope.engine(target);
        // First the bytes: staging is rewritten from its live rows, so that what the scrub removed
        // (and what the source had freed before the copy) is gone from the file itself, not only
        // from the query results checked below. Nothing writes staging after VERIFY.
        const seal = await engine.sealStaging?.(target, input.operationId, scope.engineContext());
        // Rows POSTCONFIG put back are the target's own; only then may they be there.
        const allowances = input.postConfigured ? postConfigAllowances(target, smtpPasswordFor(deps, target)) : {};
        const { violations, enabled, identity } = await withSession(engine.openStaging(target, input.operationId), async (session) => ({
          violations: await countScrubPolicy(session, policy, allowances),
          enabled: (
            await session.query<{ ID: string }>(
              `SELECT ${session.dialect.quote('ID')} AS ID FROM ${session.dialect.quote('UserInfo')} WHERE ${session.dialect.quote('ENABLE')} <> 0 ORDER BY 1`,
            )
          ).map((r) => r.ID),
          identity: await readEnvironmentFacts(session),
        }));
        const left = violations.filter((v) => v.rows > 0);
        const problems = left.map((v) => `${v.description}: ${v.rows} rows left in ${v.table}`);
        if (input.postConfigured && identity.environmentName !== target.name) problems.push(`the data does not carry ${target.name}'s identity`);
        if (problems.length)
          throw new VerificationFailed(
            `VERIFY found what must not travel: ${problems.join('; ')}. Fix the scrub policy or the data, then retry SCRUB's successors by retrying VERIFY, or roll back`,
          );
        return {
          summary: `${violations.length} checks over ${policy.elements.length} elements passed; enabled users: ${enabled.join(', ') || 'none'}`,
          activityMs: elapsed(started),
          notes: [...(seal?.notes ?? []), `Nothing on the scrub list remains; users enabled: ${enabled.join(', ')}`],
          details: {
            checks: violations.length,
            enabledUsers: enabled,
            ...(seal ? { seal: { ms: Math.round(seal.durationMs), bytesBefore: seal.bytesBefore, bytesAfter: seal.bytesAfter, resumed: seal.resumed } } : {}),
          },
        };
      });
    },
  };
}
