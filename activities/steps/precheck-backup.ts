import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckResult, PrecheckOutcome } from '../../workflows/types';
import { ActivityDeps, ActivityScope, elapsed, runStepActivity } from '../deps';
import type { EnvironmentConfig } from '../../config/catalog';
import { holder, identityCheck, readLive, scrubPolicyCheck, targetChecks, versionChecks } from './precheck';
import { checkRestoreTime } from './restore-time';
import { checksSummary } from '../../common/checks';

/** The checks every operation that replaces a target shares: known, a sandbox, its database there and itself. */
async function replaceableTarget(deps: ActivityDeps, scope: ActivityScope, name: string, operation: string, checks: CheckResult[]) {
  let target: EnvironmentConfig;
  try {
    target = scope.environment(name);
  } catch (err) {
    checks.push({ name: 'target-known', ok: false, message: (err as Error).message, fix: 'use an environment named in the catalog (dbmove list --environments)' });
    return undefined;
  }
  if (target.type === 'production') {
    checks.push({ name: 'target-not-production', ok: false, message: `${target.name} is a production environment; ${operation} never overwrites production`, fix: 'choose a sandbox as the target' });
    return undefined;
  }
  checks.push({ name: 'target-not-production', ok: true, message: `${target.name} is a sandbox` });
  const reading = await readLive(scope, target);
  if (!reading.exists) {
    checks.push({ name: `database-${target.name}`, ok: false, message: `${target.name}'s database does not exist at ${reading.location}`, fix: 'correct the catalog, or run `dbmove demo` for the demo estate' });
    return undefined;
  }
  checks.push(identityCheck(reading), ...targetChecks(deps, reading));
  return reading;
}

function outcome(checks: CheckResult[], started: number, approvers: string[]): PrecheckOutcome {
  return { summary: checksSummary(checks), activityMs: elapsed(started), notes: [], checks, approvers };
}

export function createBackupPrecheckActivities(deps: ActivityDeps) {
  return {
    /** PRECHECK of an export: the source exists and is itself; the output is new and writable. */
    async precheckExport(input: { operationId: string; source: string; output: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const checks: CheckResult[] = [];
        let source: EnvironmentConfig | undefined;
        try {
          source = scope.environment(input.source);
        } catch (err) {
          checks.push({ name: 'source-known', ok: false, message: (err as Error).message, fix: 'use an environment named in the catalog' });
        }
        if (source) {
          const reading = await readLive(scope, source);
          if (!reading.exists) checks.push({ name: `database-${source.name}`, ok: false, message: `${source.name}'s database does not exist at ${reading.location}`, fix: 'correct the catalog' });
          else checks.push(identityCheck(reading));
          checks.push(scrubPolicyCheck('export', source));
          if (source.engine === 'local') {
            const output = path.resolve(input.output);
            if (fs.existsSync(output)) checks.push({ name: 'output-new', ok: false, message: `${output} already exists; an export never overwrites a file`, fix: 'choose another --output, or move the existing file away' });
            else if (!fs.existsSync(path.dirname(output))) checks.push({ name: 'output-new', ok: false, message: `The folder ${path.dirname(output)} does not exist`, fix: 'create it, or choose another --output' });
            else checks.push({ name: 'output-new', ok: true, message: `${output} will be written` });
          }
        }
        return outcome(checks, started, source?.approvers ?? []);
      });
    },

    /** PRECHECK of an import: the file is checked (format, checksums, versions) before anything is touched. */
    async precheckImport(input: { operationId: string; target: string; input: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const checks: CheckResult[] = [];
        const reading = await replaceableTarget(deps, scope, input.target, 'an import', checks);
        if (reading) {
          const engine = scope.engine(reading.env);
          if (!engine.readBackup) {
            checks.push({ name: 'backup-valid', ok: false, message: `The ${reading.env.engine} engine cannot check a backup before import`, fix: 'import with the platform\'s own tools' });
          } else {
            try {
              const manifest = await engine.readBackup(reading.env, input.input);
              checks.push({ name: 'backup-valid', ok: true, message: `${input.input}: a backup of ${manifest.source.environment} taken ${manifest.createdAt} by ${manifest.operationId}, checksums correct` });
              checks.push(...versionChecks({ name: `the backup of ${manifest.source.environment}`, facts: manifest.versions }, holder(reading), deps.catalog().defaults.minimumPlatformUpdate));
            } catch (err) {
              checks.push({ name: 'backup-valid', ok: false, message: (err as Error).message, fix: 'give a complete file written by `dbmove export`' });
            }
          }
        }
        return outcome(checks, started, reading?.env.approvers ?? []);
      });
    },

    /** PRECHECK of a point-in-time restore: the time is in the past and within what is kept. */
    async precheckRestore(input: { operationId: string; target: string; to: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const checks: CheckResult[] = [];
        const reading = await replaceableTarget(deps, scope, input.target, 'a point-in-time restore', checks);
        if (reading) {
          checks.push(checkRestoreTime(reading.env.name, input.to, await scope.engine(reading.env).restorePoints(reading.env)));
        }
        return outcome(checks, started, reading?.env.approvers ?? []);
      });
    },
  };
}
