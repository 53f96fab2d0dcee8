import { VerificationFailed } from '../../common/errors';
import type { EnvironmentConfig } from '../../config/catalog';
import type { DatabaseEngine, DataSession } from '../../engines/port';
import type { StepOutcome } from '../../workflows/types';
import { configuredUsers } from '../fo/database-users';
import { KERNEL, readAdmin, readKernelSetting, readTenant } from '../fo/target-settings';
import { countScrubPolicy } from '../policy/apply-policy';
import { policyFor, type PolicyKind } from '../policy/policy-for';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';
import { adminTarget, postConfigAllowances } from './postconfig';

interface Findings {
  problems: string[];
  passed: string[];
}

/** What POSTCONFIG promised about the target's own settings, read back from staging. */
async function checkTargetSettings(session: DataSession, live: DataSession, env: EnvironmentConfig, found: Findings): Promise<void> {
  const expected = adminTarget(env, await readAdmin(live));
  const admin = await readAdmin(session);
  if (expected) {
    if (!admin) found.problems.push('there is no Admin user');
    else {
      const wrong = (['networkAlias', 'identityProvider', 'sid'] as const).filter((k) => admin[k] !== expected[k]);
      if (wrong.length || admin.enable !== 1)
        found.problems.push(
          `Admin is not ${env.name}'s administrator: ${[...wrong.map((k) => `${k} is ${JSON.stringify(admin[k])}, expected ${JSON.stringify(expected[k])}`), ...(admin.enable !== 1 ? ['it is disabled'] : [])].join(', ')}`,
        );
      else found.passed.push(`Admin is ${expected.networkAlias}, enabled, SID ${expected.sidFrom}`);
    }
  }
  const maintenance = await readKernelSetting(session, KERNEL.maintenanceMode);
  if (maintenance !== undefined && maintenance !== 0)
    found.problems.push(`maintenance mode is on (${KERNEL.table}.${KERNEL.maintenanceMode} = ${maintenance})`);
  else if (maintenance === 0) found.passed.push('maintenance mode is off');
  const tenantId = env.tenant?.id ?? (await readTenant(live)).tenantId;
  if (tenantId) {
    const now = (await readTenant(session)).tenantId;
    if (now !== undefined && now !== tenantId) found.problems.push(`the tenant is ${now}, not ${env.name}'s ${tenantId}`);
    else if (now === tenantId) found.passed.push(`tenant ${tenantId}`);
  }
}

/** On the T-SQL engines: no database user but dbo and (after POSTCONFIG) the target's own. */
async function checkDatabaseUsers(
  engine: DatabaseEngine,
  session: DataSession,
  env: EnvironmentConfig,
  postConfigured: boolean,
  found: Findings,
): Promise<void> {
  if (!engine.principals) {
    found.passed.push(`the ${env.engine} engine has no database users (SQLite has none), so none travelled`);
    return;
  }
  const allowed = ['dbo', ...(postConfigured ? configuredUsers(env).map((u) => u.name) : [])].map((n) => n.toLowerCase());
  const present = await engine.principals.listUsers(session);
  const foreign = present.filter((u) => !allowed.includes(u.toLowerCase()));
  const missing = postConfigured ? configuredUsers(env).filter((u) => !present.some((p) => p.toLowerCase() === u.name.toLowerCase())) : [];
  if (foreign.length) found.problems.push(`database users that are not ${env.name}'s own are present: ${foreign.join(', ')}`);
  if (missing.length) found.problems.push(`${env.name}'s database users are missing: ${missing.map((u) => u.name).join(', ')}`);
  if (!foreign.length && !missing.length) found.passed.push(`database users: ${present.join(', ')}`);
}

export function createVerifyActivities(deps: ActivityDeps) {
  return {
    /**
     * VERIFY: nothing on the scrub list is left (encrypted fields included); only Admin and the
     * listed users are enabled; after POSTCONFIG, Admin, maintenance mode, the tenant and the
     * database users are the target's own.
     */
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
        const allowances = input.postConfigured ? postConfigAllowances(target) : {};
        const found: Findings = { problems: [], passed: [] };
        const { violations, enabled } = await withSession(engine.openStaging(target, input.operationId, scope.engineContext()), async (session) => {
          const result = {
            violations: await countScrubPolicy(session, policy, allowances),
            enabled: (
              await session.query<{ ID: string }>(
                `SELECT ${session.dialect.quote('ID')} AS ID FROM ${session.dialect.quote('USERINFO')} WHERE ${session.dialect.quote('ENABLE')} <> 0 ORDER BY 1`,
              )
            ).map((r) => r.ID),
          };
          if (input.postConfigured)
            await withSession(engine.openLive(target, scope.engineContext()), (live) => checkTargetSettings(session, live, target, found));
          await checkDatabaseUsers(engine, session, target, input.postConfigured, found);
          return result;
        });
        const left = violations.filter((v) => v.rows > 0);
        const problems = [...left.map((v) => `${v.description}: ${v.rows} rows left in ${v.table}`), ...found.problems];
        if (problems.length)
          throw new VerificationFailed(
            `VERIFY found what must not travel: ${problems.join('; ')}. Fix the scrub policy or the data, then retry SCRUB's successors by retrying VERIFY, or roll back`,
          );
        return {
          summary: `${violations.length + found.passed.length} checks over ${policy.elements.length} elements passed; enabled users: ${enabled.join(', ') || 'none'}`,
          activityMs: elapsed(started),
          notes: [
            ...(seal?.notes ?? []),
            `Nothing on the scrub list remains; users enabled: ${enabled.join(', ')}`,
            ...found.passed.map((p) => `Verified: ${p}`),
          ],
          details: {
            checks: violations.length + found.passed.length,
            enabledUsers: enabled,
            ...(seal ? { seal: { ms: Math.round(seal.durationMs), bytesBefore: seal.bytesBefore, bytesAfter: seal.bytesAfter, resumed: seal.resumed } } : {}),
          },
        };
      });
    },
  };
}
