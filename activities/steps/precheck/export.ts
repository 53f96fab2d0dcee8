import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentConfig } from '../../../config/catalog';
import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { ActivityDeps, runStepActivity } from '../../runtime';
import { identityCheck, precheckOutcome, scrubPolicyCheck } from './checks';
import { integrityCheck, outputSpaceCheck, removeLeftovers, spaceCheck } from './runtime-checks';
import { tuningOf } from '../../environment-settings';

export function createPrecheckExportActivities(deps: ActivityDeps) {
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
        const notes: string[] = [];
        if (source) {
          const file = await scope.engine(source).inspect(source);
          const integrity = file.exists ? await integrityCheck(deps, scope, source, 'source') : undefined;
          if (integrity) checks.push(integrity);
          // Only the identity matters for an export (no target, versions or users to compare).
          const identity = integrity && !integrity.ok ? undefined : await scope.engine(source).readIdentity(source);
          if (!file.exists)
            checks.push({
              name: `database-${source.name}`,
              ok: false,
              message: `${source.name}'s database does not exist at ${file.location}`,
              fix: 'correct the catalog',
            });
          else if (!integrity || integrity.ok) checks.push(identityCheck({ env: source, location: file.location, identity }));
          if (file.exists) {
            notes.push(...(await removeLeftovers(scope, source)));
            const space = await spaceCheck(scope, source, file.sizeBytes ?? 0, 'the temporary copy');
            if (space) checks.push(space);
          }
          checks.push(scrubPolicyCheck('export', source));
          if (scope.engine(source).capabilities.backupDestination === 'local-file') {
            const output = path.resolve(input.output);
            if (fs.existsSync(output))
              checks.push({
                name: 'output-new',
                ok: false,
                message: `${output} already exists; an export never overwrites a file`,
                fix: 'choose another --output, or move the existing file away',
              });
            else if (!fs.existsSync(path.dirname(output)))
              checks.push({
                name: 'output-new',
                ok: false,
                message: `The folder ${path.dirname(output)} does not exist`,
                fix: 'create it, or choose another --output',
              });
            else {
              checks.push({ name: 'output-new', ok: true, message: `${output} will be written` });
              // The backup is smaller than the database (a third of it for the demo's data), never larger.
              checks.push(await outputSpaceCheck(output, file.sizeBytes ?? 0));
            }
          }
        }
        return { ...precheckOutcome(checks, started, source?.approvers ?? []), notes, tuning: source ? tuningOf(deps.catalog(), source) : undefined };
      });
    },
  };
}
