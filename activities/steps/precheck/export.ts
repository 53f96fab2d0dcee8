import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentConfig } from '../../../config/catalog';
import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { ActivityDeps, runStepActivity } from '../../runtime';
import { identityCheck, precheckOutcome, readLive, scrubPolicyCheck } from './checks';

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
        if (source) {
          const reading = await readLive(deps, scope, source);
          if (!reading.exists)
            checks.push({
              name: `database-${source.name}`,
              ok: false,
              message: `${source.name}'s database does not exist at ${reading.location}`,
              fix: 'correct the catalog',
            });
          else checks.push(identityCheck(reading));
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
            else checks.push({ name: 'output-new', ok: true, message: `${output} will be written` });
          }
        }
        return precheckOutcome(checks, started, source?.approvers ?? []);
      });
    },
  };
}
