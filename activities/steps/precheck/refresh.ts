import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { checksSummary, sourceIsNotTargetCheck, targetNotProductionCheck } from '../../../common/checks';
import { ActivityDeps, elapsed, runStepActivity } from '../../runtime';
import { applicationChecks, holder, identityCheck, readLive, scrubPolicyCheck, targetChecks, versionChecks } from './checks';

export function createPrecheckRefreshActivities(deps: ActivityDeps) {
  return {
    /**
     * PRECHECK of a refresh: every condition the seeds list, read from the catalog and the
     * live databases (never from what a person typed). Touches nothing.
     */
    async precheckRefresh(input: { operationId: string; source: string; target: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const catalog = deps.catalog();
        const checks: CheckResult[] = [];
        const known = (name: string, role: string) => {
          try {
            return scope.environment(name);
          } catch (err) {
            checks.push({
              name: `${role}-known`,
              ok: false,
              message: (err as Error).message,
              fix: 'use an environment named in the catalog (dbmove list --environments)',
            });
            return undefined;
          }
        };
        const source = known(input.source, 'source');
        const target = known(input.target, 'target');
        if (source && target) {
          checks.push(targetNotProductionCheck(target, 'a refresh'));
          checks.push(scrubPolicyCheck('refresh', target));
          const distinct = sourceIsNotTargetCheck(source.name, target.name);
          if (!distinct.ok) checks.push(distinct);
          const readings = await Promise.all([source, target].map((env) => readLive(deps, scope, env)));
          for (const reading of readings) {
            if (!reading.exists) {
              checks.push({
                name: `database-${reading.env.name}`,
                ok: false,
                message: `${reading.env.name}'s database does not exist at ${reading.location}`,
                fix: scope.engine(reading.env).capabilities.localFiles
                  ? 'run `dbmove demo` for the demo estate, or correct the path in the catalog'
                  : 'correct the database in the catalog',
              });
            }
          }
          const [s, t] = readings;
          if (s.exists && t.exists) {
            checks.push(identityCheck(s), identityCheck(t));
            checks.push(...versionChecks(holder(s), holder(t), catalog.defaults.minimumPlatformUpdate));
            checks.push(...targetChecks(deps, t), ...(await applicationChecks(deps, scope, t.env)));
            if (s.runningDataJobs.length) {
              checks.push({
                name: 'source-recurring-data-jobs',
                ok: false,
                severity: 'warning',
                message: `${s.env.name} still runs recurring data jobs (${s.runningDataJobs.join(', ')}); files they are processing will not travel`,
                fix: `refresh after ${s.env.name}'s recurring jobs have been fully processed`,
              });
            }
          }
        }
        return {
          summary: checksSummary(checks),
          activityMs: elapsed(started),
          notes: [],
          checks,
          approvers: target?.approvers ?? [],
        };
      });
    },
  };
}
