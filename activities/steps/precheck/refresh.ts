import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { checksSummary, sourceIsNotTargetCheck, targetNotProductionCheck } from '../../../common/checks';
import { ActivityDeps, elapsed, runStepActivity } from '../../runtime';
import { applicationChecks, holder, identityCheck, readLive, scrubPolicyCheck, targetChecks, versionChecks } from './checks';
import { integrityCheck, removeLeftovers, spaceCheck } from './runtime-checks';
import { tuningOf } from '../../environment-settings';
import { readDeploymentVersions } from '../../deployment/versions';

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
        const notes: string[] = [];
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
          // The source's pages are checked before anything reads it or copies it: a damaged
          // source is refused as damaged, and nothing more is read from it.
          const sourceFile = await scope.engine(source).inspect(source);
          let sourceDamaged = false;
          if (sourceFile.exists) {
            const integrity = await integrityCheck(deps, scope, source, 'source');
            checks.push(integrity);
            sourceDamaged = !integrity.ok;
          }
          const readings = await Promise.all(
            [source, target].map(async (env) => {
              if (env !== source || !sourceDamaged) return readLive(deps, scope, env);
              // The damaged file is not opened again; its versions come from the deployment.
              const versions = await readDeploymentVersions(catalog, env, deps.secret, scope.engineContext().signal);
              return { env, exists: true, location: sourceFile.location, versions, runningDataJobs: [] };
            }),
          );
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
          if (t.exists) {
            notes.push(...(await removeLeftovers(scope, target)));
            const space = await spaceCheck(scope, target, (sourceFile.sizeBytes ?? 0) + (t.sizeBytes ?? 0), 'the staging copy and the restore point');
            if (space) checks.push(space);
          }
          if (s.exists && t.exists && !sourceDamaged) {
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
          notes,
          checks,
          approvers: target?.approvers ?? [],
          tuning: target ? tuningOf(catalog, target) : undefined,
        };
      });
    },
  };
}
