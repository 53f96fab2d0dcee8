import * as fs from 'node:fs';
import { z } from 'zod';
import type { EnvironmentConfig } from '../../../config/catalog';
import { shippedPolicyFile } from '../../policy/scrub-policy';
import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { ActivityDeps, ActivityScope, elapsed } from '../../runtime';
import { compareVersions, readDeploymentVersions, type VersionField, type VersionReading } from '../../deployment/versions';
import { withSession } from '../../sessions';
import { readAdmin, type AdminAccount } from '../../fo/target-settings';
import { configuredUsers } from '../../fo/database-users';
import { administratorSidProblem, isAdministratorsOwnAdmin } from '../postconfig';
import { policyFor, type PolicyKind } from '../../policy/policy-for';
import type { DatabaseIdentity, DataSession } from '../../../engines/port';
import { checksSummary, targetNotProductionCheck } from '../../../common/checks';
import { runAction } from '../../application/service-action';

const BATCH_STATUS_NAMES = ['Withhold', 'Waiting', 'Executing', 'Error', 'Ended', 'Ready', 'Did not run', 'Canceling', 'Canceled', 'Scheduled'];

const recurringJobsSchema = z.object({
  classes: z.array(z.string().min(1)).min(1),
  statuses: z.array(z.number().int()).min(1),
});

/**
 * Recurring data import/export jobs that are not stopped: batch jobs with a recurrence whose
 * tasks (BATCH) run one of the data management framework's recurring classes, named through
 * CLASSIDTABLE, in a status that can still run (policies/recurring-data-jobs.json).
 */
export async function runningRecurringDataJobs(session: DataSession): Promise<string[]> {
  const definition = recurringJobsSchema.parse(JSON.parse(fs.readFileSync(shippedPolicyFile('recurring-data-jobs.json'), 'utf8')));
  const d = session.dialect;
  const q = (n: string) => d.quote(n);
  const params: unknown[] = [];
  const list = (values: unknown[]) => values.map((v) => (params.push(v), d.param(params.length - 1))).join(', ');
  const statuses = list(definition.statuses);
  const classes = list(definition.classes);
  let rows: Record<string, unknown>[];
  try {
    rows = await session.query(
      `SELECT j.${q('CAPTION')} AS label, j.${q('STATUS')} AS status FROM ${q('BATCHJOB')} j WHERE j.${q('RECURRENCEDATA')} IS NOT NULL AND j.${q('STATUS')} IN (${statuses}) AND EXISTS (SELECT 1 FROM ${q('BATCH')} b JOIN ${q('CLASSIDTABLE')} c ON c.${q('ID')} = b.${q('CLASSNUMBER')} WHERE b.${q('BATCHJOBID')} = j.${q('RECID')} AND c.${q('NAME')} IN (${classes})) ORDER BY j.${q('RECID')}`,
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
  /** The database's size as inspect found it (what PRECHECK's free-space checks add up). */
  sizeBytes?: number;
  identity?: DatabaseIdentity;
  versions: VersionReading;
  runningDataJobs: string[];
  /** Admin as the live database holds it (POSTCONFIG keeps its SID when the administrator is the same sign-in). */
  admin?: AdminAccount;
}

export async function readLive(deps: ActivityDeps, scope: ActivityScope, env: EnvironmentConfig): Promise<LiveReading> {
  const engine = scope.engine(env);
  const versions = await readDeploymentVersions(deps.catalog(), env, deps.secret, scope.engineContext().signal);
  const facts = await engine.inspect(env);
  if (!facts.exists) return { env, exists: false, location: facts.location, versions, runningDataJobs: [] };
  return {
    env,
    exists: true,
    location: facts.location,
    sizeBytes: facts.sizeBytes,
    identity: await engine.readIdentity(env),
    versions,
    ...(await withSession(engine.openLive(env, scope.engineContext()), async (session) => ({
      runningDataJobs: await runningRecurringDataJobs(session),
      admin: await readAdmin(session),
    }))),
  };
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

/** The live database must say (in its platform's metadata) that it belongs to the environment the catalog says it is. */
export function identityCheck(reading: Pick<LiveReading, 'env' | 'location' | 'identity'>): CheckResult {
  const { env, identity } = reading;
  const name = `identity-${env.name}`;
  if (!identity) {
    return {
      name,
      ok: true,
      message: `${env.name}'s database carries no dbmove identity yet (it gets one at its first SWAP); the catalog's type (${env.type}) decides`,
    };
  }
  if (identity.environment !== env.name) {
    return {
      name,
      ok: false,
      message: `The database at ${reading.location} says it belongs to "${identity.environment}" (${identity.type}), but the catalog lists it as ${env.name}`,
      fix: `correct ${env.name}'s database location in the catalog`,
    };
  }
  if (identity.type !== env.type) {
    return {
      name,
      ok: false,
      message: `${env.name}'s database says it is a ${identity.type} environment, but the catalog says ${env.type}`,
      fix: `correct ${env.name}'s type in the catalog, or its database location`,
    };
  }
  return { name, ok: true, message: `${env.name}'s database identifies itself as ${identity.environment} (${identity.type})` };
}

/** Versions as an environment's deployment (or a backup's manifest) states them, and where from. */
export interface VersionHolder {
  name: string;
  reading: Pick<VersionReading, 'versions' | 'sources' | 'error'>;
}

export const holder = (reading: LiveReading): VersionHolder => ({ name: reading.env.name, reading: reading.versions });

const from = (h: VersionHolder, field: VersionField) => (h.reading.sources[field] ? ` (${h.reading.sources[field]})` : '');

export function versionChecks(source: VersionHolder, target: VersionHolder, minimumPlatformUpdate: number, targetRole = 'target'): CheckResult[] {
  const checks: CheckResult[] = [];
  const s = source.reading.versions;
  const t = target.reading.versions;
  const sn = source.name;
  const tn = target.name;
  const unreadable = (h: VersionHolder, field: VersionField, what: string, id: string): CheckResult => ({
    name: id,
    ok: false,
    message: `The ${what} of ${h.name} is unknown: ${h.reading.error ?? `its version source does not give it`}`,
    fix: `name where ${h.name}'s versions come from in the catalog (versions: declared, a command or an endpoint), or make that source answer ${field}`,
  });
  if (!s.applicationRelease) checks.push(unreadable(source, 'applicationRelease', 'application release', 'application-release'));
  else if (!t.applicationRelease) checks.push(unreadable(target, 'applicationRelease', 'application release', 'application-release'));
  else if (s.applicationRelease !== t.applicationRelease) {
    checks.push({
      name: 'application-release',
      ok: false,
      message: `Application releases differ: ${sn} runs ${s.applicationRelease}${from(source, 'applicationRelease')}, ${tn} runs ${t.applicationRelease}${from(target, 'applicationRelease')}; database movement does not run the data upgrade, so data could be lost`,
      fix: `update ${tn} to ${s.applicationRelease} (or redeploy it) first, so both run the same release`,
    });
  } else {
    checks.push({
      name: 'application-release',
      ok: true,
      message: `Both run application release ${s.applicationRelease} (${sn}${from(source, 'applicationRelease')}; ${tn}${from(target, 'applicationRelease')})`,
    });
  }
  for (const r of [source, target]) {
    const pu = r.reading.versions.platformUpdate;
    const id = `platform-update-${r.name.split(' ').pop()}`;
    if (pu === undefined) {
      checks.push(unreadable(r, 'platformUpdate', 'platform update', id));
    } else if (pu < minimumPlatformUpdate) {
      checks.push({
        name: id,
        ok: false,
        message: `${r.name} runs platform update ${pu}${from(r, 'platformUpdate')}; database movement needs platform update ${minimumPlatformUpdate} or later (update 12 and earlier cannot be refreshed)`,
        fix: `update ${r.name}'s platform first (the minimum is the catalog's defaults.minimumPlatformUpdate)`,
      });
    } else {
      checks.push({ name: id, ok: true, message: `${r.name} runs platform update ${pu}${from(r, 'platformUpdate')} (minimum ${minimumPlatformUpdate})` });
    }
  }
  if (!s.financialReporting) checks.push(unreadable(source, 'financialReporting', 'Financial Reporting version', 'financial-reporting'));
  else if (!t.financialReporting) checks.push(unreadable(target, 'financialReporting', 'Financial Reporting version', 'financial-reporting'));
  else if (compareVersions(t.financialReporting, s.financialReporting) < 0) {
    checks.push({
      name: 'financial-reporting',
      ok: false,
      message: `The ${targetRole} ${tn} runs Financial Reporting ${t.financialReporting}${from(target, 'financialReporting')}, older than ${s.financialReporting} on ${sn}${from(source, 'financialReporting')}`,
      fix: `update Financial Reporting on ${tn} to ${s.financialReporting} or later (apply the latest update package to both environments)`,
    });
  } else {
    checks.push({
      name: 'financial-reporting',
      ok: true,
      message: `Financial Reporting on ${tn} (${t.financialReporting}${from(target, 'financialReporting')}) is at least ${sn}'s (${s.financialReporting}${from(source, 'financialReporting')})`,
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
  const administrator = env.administrator;
  if (administrator && !administrator.sid && !isAdministratorsOwnAdmin(target.admin, administrator)) {
    const [message, fix] = administratorSidProblem(env, target.admin).split(' Fix: ');
    checks.push({ name: 'administrator-sid', ok: false, message, fix });
  }
  for (const user of configuredUsers(env)) {
    if (user.login || !user.passwordEnv || deps.secret(user.passwordEnv) !== undefined) continue;
    checks.push({
      name: 'database-user-secret',
      ok: false,
      message: `POSTCONFIG creates the database user ${user.name} with the password in ${user.passwordEnv}, which is not set in the worker's environment`,
      fix: `set ${user.passwordEnv} where the worker runs and restart it`,
    });
  }
  return checks;
}

/**
 * The application around the target (catalog `application`): every token its actions need is
 * set where the worker runs (else SWAP would fail after stopping it), and each service answers
 * its health check now (a warning: SWAP starts it either way). Reads only.
 */
export async function applicationChecks(deps: ActivityDeps, scope: ActivityScope, env: EnvironmentConfig): Promise<CheckResult[]> {
  const app = env.application;
  if (!app) return [];
  const checks: CheckResult[] = [];
  const actions = [...app.services.flatMap((s) => [s.drain, s.stop, s.start, s.health]), app.signIn];
  const missing = [...new Set(actions.flatMap((a) => (a && 'url' in a && a.tokenEnv && deps.secret(a.tokenEnv) === undefined ? [a.tokenEnv] : [])))];
  if (missing.length) {
    checks.push({
      name: 'application-secret',
      ok: false,
      message: `SWAP stops and starts ${env.name}'s application with the token in ${missing.join(', ')}, which is not set in the worker's environment`,
      fix: `set ${missing.join(', ')} where the worker runs and restart it`,
    });
    return checks;
  }
  const context = { cwd: deps.catalog().directory, secret: deps.secret, signal: scope.engineContext().signal, env: { DBMOVE_ENVIRONMENT: env.name } };
  const unhealthy: string[] = [];
  const unreachable: string[] = [];
  for (const service of app.services) {
    const result = await runAction(service.health, { ...context, env: { ...context.env, DBMOVE_SERVICE: service.name } });
    if (!result.ok) (result.reached ? unhealthy : unreachable).push(`${service.name} (${result.detail})`);
  }
  // Nothing answers at all: SWAP could not stop it either, so refuse now, touching nothing.
  if (unreachable.length) {
    checks.push({
      name: 'application-reachable',
      ok: false,
      message: `${env.name}'s application cannot be reached: ${unreachable.join('; ')}`,
      fix: `start it (the demo's: npm start, or dbmove app-server --environment ${env.name}), or correct ${env.name}.application in the catalog`,
    });
    return checks;
  }
  checks.push(
    unhealthy.length
      ? {
          name: 'application-health',
          ok: false,
          severity: 'warning',
          message: `${env.name}'s application does not answer its health checks now: ${unhealthy.join('; ')}`,
          fix: `start it, or expect SWAP to: it stops and starts every service around the switch`,
        }
      : { name: 'application-health', ok: true, message: `${env.name}'s ${app.services.length} application services answer their health checks` },
  );
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
  const reading = await readLive(deps, scope, target);
  if (!reading.exists) {
    checks.push({
      name: `database-${target.name}`,
      ok: false,
      message: `${target.name}'s database does not exist at ${reading.location}`,
      fix: 'correct the catalog, or run `dbmove demo` for the demo estate',
    });
    return undefined;
  }
  checks.push(identityCheck(reading), ...targetChecks(deps, reading), ...(await applicationChecks(deps, scope, target)));
  return reading;
}

/** A PRECHECK activity's result: its checks, their summary, and who may decide on the operation. */
export function precheckOutcome(checks: CheckResult[], started: number, approvers: string[]): PrecheckOutcome {
  return { summary: checksSummary(checks), activityMs: elapsed(started), notes: [], checks, approvers };
}
