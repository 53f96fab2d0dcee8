import * as fs from 'node:fs';
import { z } from 'zod';
import type { EnvironmentConfig } from '../../config/catalog';
import { shippedPolicyFile } from '../policy/scrub-policy';
import { conditionSchema } from '../policy/scrub-policy';
import { renderCondition } from '../policy/render-condition';
import type { CheckResult, PrecheckOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity, ActivityScope } from '../deps';
import { compareVersions, EnvironmentFacts, readEnvironmentFacts } from '../environment-facts';
import { withSession } from '../sessions';
import { policyFor, type PolicyKind } from './prepare';
import type { DataSession } from '../../engines/port';
import { checksSummary } from '../../common/checks';

const BATCH_STATUS_NAMES = ['Withhold', 'Waiting', 'Executing', 'Error', 'Ended', 'Ready', 'Did not run', 'Canceling', 'Canceled', 'Scheduled'];

const recurringJobsSchema = z.object({
  table: z.string(),
  labelColumn: z.string(),
  statusColumn: z.string(),
  where: conditionSchema,
});

/** Recurring data import/export jobs that are not stopped, from the shipped definition. */
export async function runningRecurringDataJobs(session: DataSession): Promise<string[]> {
  const definition = recurringJobsSchema.parse(JSON.parse(fs.readFileSync(shippedPolicyFile('recurring-data-jobs.json'), 'utf8')));
  const d = session.dialect;
  const params: unknown[] = [];
  const where = renderCondition(d, definition.where, params);
  let rows: Record<string, unknown>[];
  try {
    rows = await session.query(`SELECT ${d.quote(definition.labelColumn)} AS label, ${d.quote(definition.statusColumn)} AS status FROM ${d.quote(definition.table)} WHERE ${where}`, params);
  } catch {
    return [];
  }
  return rows.map((r) => `${r.label} (${BATCH_STATUS_NAMES[Number(r.status)] ?? r.status})`);
}

export interface LiveReading {
  env: EnvironmentConfig;
  exists: boolean;
  location: string;
  facts: EnvironmentFacts;
  runningDataJobs: string[];
}

export async function readLive(scope: ActivityScope, env: EnvironmentConfig): Promise<LiveReading> {
  const engine = scope.engine(env);
  const facts = await engine.inspect(env);
  if (!facts.exists) return { env, exists: false, location: facts.location, facts: {}, runningDataJobs: [] };
  return withSession(engine.openLive(env), async (session) => ({
    env,
    exists: true,
    location: facts.location,
    facts: await readEnvironmentFacts(session),
    runningDataJobs: await runningRecurringDataJobs(session),
  }));
}

/**
 * The scrub policy (shipped file plus the environment's own) loads and validates: every table
 * and column it names is a strict identifier, every action known. A bad policy refuses the
 * operation at PRECHECK, naming the file and the key, rather than failing at SCRUB.
 */
export function scrubPolicyCheck(kind: PolicyKind, env: EnvironmentConfig): CheckResult {
  try {
    const policy = policyFor(kind, env);
    return { name: 'scrub-policy', ok: true, message: `The ${kind} scrub policy for ${env.name} has ${policy.elements.length} valid elements` };
  } catch (err) {
    return { name: 'scrub-policy', ok: false, message: `The ${kind} scrub policy for ${env.name} is invalid: ${(err as Error).message}`, fix: `correct the policy file, or remove it from ${env.name}.scrubPolicies in the catalog` };
  }
}

/** The live database must say it belongs to the environment the catalog says it is. */
export function identityCheck(reading: LiveReading): CheckResult {
  const { env, facts } = reading;
  if (facts.environmentName && facts.environmentName !== env.name) {
    return { name: `identity-${env.name}`, ok: false, message: `The database at ${reading.location} says it belongs to "${facts.environmentName}" (${facts.environmentType ?? 'unknown type'}), but the catalog lists it as ${env.name}`, fix: `correct ${env.name}'s database location in the catalog` };
  }
  if (facts.environmentType && facts.environmentType !== env.type) {
    return { name: `identity-${env.name}`, ok: false, message: `${env.name}'s database says it is a ${facts.environmentType} environment, but the catalog says ${env.type}`, fix: `correct ${env.name}'s type in the catalog, or its database location` };
  }
  return { name: `identity-${env.name}`, ok: true, message: `${env.name}'s database identifies itself as ${facts.environmentName ?? env.name}` };
}

/** Versions as a live database or a backup's manifest states them. */
export interface VersionHolder {
  name: string;
  facts: EnvironmentFacts;
}

export const holder = (reading: LiveReading): VersionHolder => ({ name: reading.env.name, facts: reading.facts });

export function versionChecks(source: VersionHolder, target: VersionHolder, minimumPlatformUpdate: number, targetRole = 'target'): CheckResult[] {
  const checks: CheckResult[] = [];
  const s = source.facts;
  const t = target.facts;
  const sn = source.name;
  const tn = target.name;
  if (!s.applicationRelease || !t.applicationRelease) {
    checks.push({ name: 'application-release', ok: false, message: `The application release of ${!s.applicationRelease ? sn : tn} cannot be read from its database (SQLSYSTEMVARIABLES.APPLICATIONRELEASE)`, fix: 'make sure the database is a Finance and Operations database with version data' });
  } else if (s.applicationRelease !== t.applicationRelease) {
    checks.push({ name: 'application-release', ok: false, message: `Application releases differ: ${sn} runs ${s.applicationRelease}, ${tn} runs ${t.applicationRelease}; database movement does not run the data upgrade, so data could be lost`, fix: `update ${tn} to ${s.applicationRelease} (or redeploy it) first, so both run the same release` });
  } else {
    checks.push({ name: 'application-release', ok: true, message: `Both run application release ${s.applicationRelease}` });
  }
  for (const r of [source, target]) {
    const pu = r.facts.platformUpdate;
    const id = `platform-update-${r.name.split(' ').pop()}`;
    if (pu === undefined) {
      checks.push({ name: id, ok: false, message: `The platform update of ${r.name} cannot be read (SQLSYSTEMVARIABLES.PLATFORMUPDATE)`, fix: 'make sure the database carries its version data' });
    } else if (pu < minimumPlatformUpdate) {
      checks.push({ name: id, ok: false, message: `${r.name} runs platform update ${pu}; database movement needs platform update ${minimumPlatformUpdate} or later (update 12 and earlier cannot be refreshed)`, fix: `update ${r.name}'s platform first (the minimum is the catalog's defaults.minimumPlatformUpdate)` });
    } else {
      checks.push({ name: id, ok: true, message: `${r.name} runs platform update ${pu} (minimum ${minimumPlatformUpdate})` });
    }
  }
  if (!s.financialReporting || !t.financialReporting) {
    checks.push({ name: 'financial-reporting', ok: false, message: `The Financial Reporting version of ${!s.financialReporting ? sn : tn} cannot be read (SQLSYSTEMVARIABLES.MRAPPLICATIONSERVICE)`, fix: 'make sure the database carries its version data' });
  } else if (compareVersions(t.financialReporting, s.financialReporting) < 0) {
    checks.push({ name: 'financial-reporting', ok: false, message: `The ${targetRole} ${tn} runs Financial Reporting ${t.financialReporting}, older than ${s.financialReporting} on ${sn}`, fix: `update Financial Reporting on ${tn} to ${s.financialReporting} or later (apply the latest update package to both environments)` });
  } else {
    checks.push({ name: 'financial-reporting', ok: true, message: `Financial Reporting on ${tn} (${t.financialReporting}) is at least ${sn}'s (${s.financialReporting})` });
  }
  return checks;
}

export function targetChecks(deps: ActivityDeps, target: LiveReading): CheckResult[] {
  const checks: CheckResult[] = [];
  const env = target.env;
  if (target.runningDataJobs.length) {
    checks.push({ name: 'recurring-data-jobs', ok: false, message: `${env.name} has recurring data import/export jobs still running: ${target.runningDataJobs.join(', ')}`, fix: `let them finish, then stop them (set them to Withhold) on ${env.name}, so that no files are orphaned in storage` });
  } else {
    checks.push({ name: 'recurring-data-jobs', ok: true, message: `No recurring data import/export job is running on ${env.name}` });
  }
  if (!env.administrator) {
    checks.push({ name: 'environment-administrator', ok: false, severity: 'warning', message: `${env.name} has no environment administrator in the catalog, so Admin keeps the account it has in the copied data`, fix: `set ${env.name}.administrator in the catalog` });
  }
  if (env.mail?.smtpPasswordEnv && deps.secret(env.mail.smtpPasswordEnv) === undefined) {
    checks.push({ name: 'mail-secret', ok: false, message: `POSTCONFIG needs ${env.mail.smtpPasswordEnv} (the SMTP password for ${env.name}), which is not set in the worker's environment`, fix: `set ${env.mail.smtpPasswordEnv} where the worker runs and restart it, or remove mail.smtpPasswordEnv from the catalog` });
  }
  return checks;
}

export function createPrecheckActivities(deps: ActivityDeps) {
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
            checks.push({ name: `${role}-known`, ok: false, message: (err as Error).message, fix: 'use an environment named in the catalog (dbmove list --environments)' });
            return undefined;
          }
        };
        const source = known(input.source, 'source');
        const target = known(input.target, 'target');
        if (source && target) {
          if (target.type === 'production') {
            checks.push({ name: 'target-not-production', ok: false, message: `${target.name} is a production environment; a refresh never overwrites production`, fix: 'choose a sandbox as the target' });
          } else {
            checks.push({ name: 'target-not-production', ok: true, message: `${target.name} is a sandbox` });
          }
          checks.push(scrubPolicyCheck('refresh', target));
          if (source.name === target.name) {
            checks.push({ name: 'source-is-not-target', ok: false, message: `The source and the target are both ${source.name}`, fix: 'choose a different source (production or another sandbox) for the refresh' });
          }
          const readings = await Promise.all([source, target].map((env) => readLive(scope, env)));
          for (const reading of readings) {
            if (!reading.exists) {
              checks.push({ name: `database-${reading.env.name}`, ok: false, message: `${reading.env.name}'s database does not exist at ${reading.location}`, fix: reading.env.engine === 'local' ? 'run `dbmove demo` for the demo estate, or correct the path in the catalog' : 'correct the database in the catalog' });
            }
          }
          const [s, t] = readings;
          if (s.exists && t.exists) {
            checks.push(identityCheck(s), identityCheck(t));
            checks.push(...versionChecks(holder(s), holder(t), catalog.defaults.minimumPlatformUpdate));
            checks.push(...targetChecks(deps, t));
            if (s.runningDataJobs.length) {
              checks.push({ name: 'source-recurring-data-jobs', ok: false, severity: 'warning', message: `${s.env.name} still runs recurring data jobs (${s.runningDataJobs.join(', ')}); files they are processing will not travel`, fix: `refresh after ${s.env.name}'s recurring jobs have been fully processed` });
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
