import type { Client } from '@temporalio/client';
import { findEnvironment, type EnvironmentConfig, type LoadedCatalog } from '../config/catalog';
import { assertName, ENVIRONMENT_NAME } from '../config/names';
import { loadScrubPolicy } from '../activities/policy/scrub-policy';
import { isRefusal, sourceIsNotTargetCheck, targetNotProductionCheck } from '../common/checks';
import type { CheckResult, OperationKind } from '../workflows/types';
import { leaseHolder } from './leases';

/**
 * An environment a person named, checked as far as can be without starting anything: a
 * well-formed name, in the catalog, and the scrub policy files it adds load (their tables and
 * columns are strict identifiers). Throws InvalidName, UnknownEnvironment or ConfigError.
 */
export function checkEnvironment(catalog: LoadedCatalog, name: string): EnvironmentConfig {
  assertName('environment name', name, ENVIRONMENT_NAME);
  const env = findEnvironment(catalog, name);
  if (env.scrubPolicies.length) loadScrubPolicy(env.scrubPolicies);
  return env;
}

const OPERATION_WORDS: Record<OperationKind, string> = {
  refresh: 'a refresh',
  export: 'an export',
  import: 'an import',
  restore: 'a point-in-time restore',
};

/**
 * Every check a request can be judged by before it starts, with PRECHECK's own rules and
 * words (common/checks.ts): a replaced target is a sandbox, a refresh's source is not its
 * target, and no open operation holds the target (its lease, client/leases.ts). The command
 * line refuses with these before anything starts; PRECHECK makes them again in the workflow,
 * because a request can also come from a script, a schedule or the Web UI.
 */
export async function checksBeforeStart(
  catalog: LoadedCatalog,
  request: { kind: OperationKind; source?: string; target?: string },
  temporal?: { client: Client; taskQueue: string },
): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  if (request.kind === 'export' || !request.target) return checks;
  const target = findEnvironment(catalog, request.target);
  checks.push(targetNotProductionCheck(target, OPERATION_WORDS[request.kind]));
  if (request.source) checks.push(sourceIsNotTargetCheck(request.source, request.target));
  if (temporal && !checks.some(isRefusal)) {
    const holder = await leaseHolder(temporal.client, target.name, temporal.taskQueue, { ask: false });
    checks.push(
      holder
        ? {
            name: 'no-open-operation',
            ok: false,
            message: `${target.name} has an operation that is not signed off: ${holder.operationId}`,
            fix: `sign it off (dbmove sign-off ${holder.operationId}) or roll it back (dbmove rollback ${holder.operationId}) first`,
          }
        : { name: 'no-open-operation', ok: true, message: `No other operation holds ${target.name}` },
    );
  }
  return checks;
}
