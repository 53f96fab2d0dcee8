import * as fs from 'node:fs';
import { z } from 'zod';
import type { EnvironmentConfig } from '../../../config/catalog';
import { shippedPolicyFile } from '../../policy/scrub-policy';
import { conditionSchema } from '../../policy/scrub-policy';
import { renderCondition } from '../../policy/render-condition';
import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { ActivityDeps, ActivityScope, elapsed } from '../../runtime';
import { compareVersions, EnvironmentFacts, readEnvironmentFacts } from '../../environment-facts';
import { withSession } from '../../sessions';
import { policyFor, type PolicyKind } from '../../policy/policy-for';
import type { DataSession } from '../../../engines/port';
import { checksSummary, targetNotProductionCheck } from '../../../common/checks';

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
    rows = await session.query(
      `SELECT ${d.quote(definition.labelColumn)} AS label, ${d.quote(definition.statusColumn)} AS status FROM ${d.quote(definition.table)} WHERE ${where}`,
      params,
    );
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
    return {
      name: 'scrub-policy',
      ok: false,
      message: `The ${kind} scrub policy for ${env.name} is invalid: ${(err as Error).message}`,
      fix: `correct the policy file, or remove it from ${env.name}.scrubPolicies in the catalog`,
    };
  }
}

/** The live database must say it belongs to the environment the catalog says it is. */
export function identityCheck(reading: LiveReading): CheckResult {
  const { env, facts } = reading;
  if (facts.environmentName && facts.environmentName !== env.name) {
    return {
      name: `identity-${env.name}`,
      ok: false,
      message: `The database at ${reading.location} says it belongs to "${facts.environmentName}" (${facts.environmentType ?? 'unknown type'}), but the catalog lists it as ${env.name}`,
      fix: `correct ${env.name}'s database location in the catalog`,
    };
  }
  if (facts.environmentType && facts.environmentType !== env.type) {
    return {
      name: `identity-${env.name}`,
      ok: false,
      message: `${env.name}'s database says it is a ${facts.environmentType} environment, but the catalog says ${env.type}`,
      fix: `correct ${env.name}'s type in the catalog, or its database location`,
    };
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
    checks.push({
      name: 'application-release',
      ok: false,
      message: `The application release of ${!s.applicationRelease ? sn : tn} cannot be read from its database (SQLSYSTEMVARIABLES.APPLICATIONRELEASE)`,
      fix: 'make sure the database is a Finance and Operations database with version data',
    });
  } else if (s.applicationRelease !== t.applicationRelease) {
    checks.push({
      name: 'application-release',
      ok: false,
      message: `Application releases differ: ${sn} runs ${s.applicationRelease}, ${tn} runs ${t.applicationRelease}; database movement does not run the data upgrade, so data could be lost`,
      fix: `update ${tn} to ${s.applicationRelease} (or redeploy it) first, so both run the same release`,
    });
  } else {
    checks.push({ name: 'application-release', ok: true, message: `Both run application release ${s.applicationRelease}` });
  }
  for (const r of [source, target]) {
    const pu = r.facts.platformUpdate;
    const id = `platform-update-${r.name.split(' ').pop()}`;
    if (pu === undefined) {
      checks.push({
        name: id,
        ok: false,
        message: `The platform update of ${r.name} cannot be read (SQLSYSTEMVARIABLES.PLATFORMUPDATE)`,
        fix: 'make sure the database carries its version data',
      });
    } else if (pu < minimumPlatformUpdate) {
      checks.push({
        name: id,
        ok: false,
        message: `${r.name} runs platform update ${pu}; database movement needs platform update ${minimumPlatformUpdate} or later (update 12 and earlier cannot be refreshed)`,
        fix: `update ${r.name}'s platform first (the minimum is the catalog's defaults.minimumPlatformUpdate)`,
      });
    } else {
      checks.push({ name: id, ok: true, message: `${r.name} runs platform update ${pu} (minimum ${minimumPlatformUpdate})` });
    }
  }
  if (!s.financialReporting || !t.financialReporting) {
    checks.push({
      name: 'financial-reporting',
      ok: false,
      message: `The Financial Reporting version of ${!s.financialReporting ? sn : tn} cannot be read (SQLSYSTEMVARIABLES.MRAPPLICATIONSERVICE)`,
      fix: 'make sure the database carries its version data',
    });
  } else if (compareVersions(t.financialReporting, s.financialReporting) < 0) {
    checks.push({
      name: 'financial-reporting',
      ok: false,
      message: `The ${targetRole} ${tn} runs Financial Reporting ${t.financialReporting}, older than ${s.financialReporting} on ${sn}`,
      fix: `update Financial Reporting on ${tn} to ${s.financialReporting} or later (apply the latest update package to both environments)`,
    });
  } else {
    checks.push({
      name: 'financial-reporting',
      ok: true,
      message: `Financial Reporting on ${tn} (${t.financialReporting}) is at least ${sn}'s (${s.financialReporting})`,
    });
  }
  return checks;
}

export function targetChecks(deps: ActivityDeps, target: LiveReading): CheckResult[] {
  const checks: CheckResult[] = [];
  const env = target.env;
  if (target.runningDataJobs.length) {
    checks.push({
      name: 'recurring-data-jobs',
      ok: false,
      message: `${env.name} has recurring data import/export jobs still running: ${target.runningDataJobs.join(', ')}`,
      fix: `let them finish, then stop them (set them to Withhold) on ${env.name}, so that no files are orphaned in storage`,
    });
  } else {
    checks.push({ name: 'recurring-data-jobs', ok: true, message: `No recurring data import/export job is running on ${env.name}` });
  }
  if (!env.administrator) {
    checks.push({
      name: 'environment-administrator',
      ok: false,
      severity: 'warning',
      message: `${env.name} has no environment administrator in the catalog, so Admin keeps the account it has in the copied data`,
      fix: `set ${env.name}.administrator in the catalog`,
    });
  }
  if (env.mail?.smtpPasswordEnv && deps.secret(env.mail.smtpPasswordEnv) === undefined) {
    checks.push({
      name: 'mail-secret',
      ok: false,
      message: `POSTCONFIG needs ${env.mail.smtpPasswordEnv} (the SMTP password for ${env.name}), which is not set in the worker's environment`,
      fix: `set ${env.mail.smtpPasswordEnv} where the worker runs and restart it, or remove mail.smtpPasswordEnv from the catalog`,
    });
  }
  return checks;
}

/** The checks every operation that replaces a target shares: known, a sandbox, its database there and itself. */
export async function replaceableTarget(deps: ActivityDeps, scope: ActivityScope, name: string, operation: string, checks: CheckResult[]) {
  let target: EnvironmentConfig;
  try {
    target = scope.environment(name);
  } catch (err) {
    checks.push({
      name: 'target-known',
      ok: false,
      message: (err as Error).message,
      fix: 'use an environment named in the catalog (dbmove list --environments)',
    });
    return undefined;
  }
  const sandbox = targetNotProductionCheck(target, operation);
  checks.push(sandbox);
  if (!sandbox.ok) return undefined;
  const reading = await readLive(scope, target);
  if (!reading.exists) {
    checks.push({
      name: `database-${target.name}`,
      ok: false,
      message: `${target.name}'s database does not exist at ${reading.location}`,
      fix: 'correct the catalog, or run `dbmove demo` for the demo estate',
    });
    return undefined;
  }
  checks.push(identityCheck(reading), ...targetChecks(deps, reading));
  return reading;
}

/** A PRECHECK activity's result: its checks, their summary, and who may decide on the operation. */
export function precheckOutcome(checks: CheckResult[], started: number, approvers: string[]): PrecheckOutcome {
  return { summary: checksSummary(checks), activityMs: elapsed(started), notes: [], checks, approvers };
}
