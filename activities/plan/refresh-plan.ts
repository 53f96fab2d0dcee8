import * as crypto from 'node:crypto';
import { findEnvironment, type EngineKind } from '../../config/catalog';
import { parseDuration } from '../../config/durations';
import type { CheckResult } from '../../workflows/types';
import type { ActivityDeps } from '../runtime';
import { countScrubPolicy } from '../policy/apply-policy';
import { withSession } from '../sessions';
import { createPrecheckRefreshActivities } from '../steps/precheck/refresh';
import { policyFor } from '../policy/policy-for';
import { targetSchema } from '../sync/target-schema';
import { describeSyncAction, planSchemaSync } from '../sync/schema-sync';
import { isRefusal } from '../../common/checks';

/**
 * `dbmove plan`: what a refresh would do, from the same functions the refresh runs, with
 * every database opened read-only. PRECHECK is the step itself (it touches nothing); the
 * scrub counts are VERIFY's count of what the policy removes, taken on the source (COPY
 * makes staging an exact copy of it); the schema changes are SYNC's own plan, computed
 * against the source's schema instead of the copy's.
 */
export interface RefreshPlan {
  source: string;
  target: string;
  checks: CheckResult[];
  ready: boolean;
  copy?: { bytes?: number; engine: EngineKind };
  scrub?: { policy: string[]; elements: { id: string; description: string; rows: number; tables: { table: string; rows: number }[] }[]; rows: number };
  sync?: { actions: string[]; incompatibilities: string[]; kept: number };
  estimate?: { copySeconds?: number; broadcastLeadSeconds: number; basis: string };
}

/** Rough copy rates used for the estimate (the real figure depends on the hardware and the service tier). */
export const ASSUMED_COPY_BYTES_PER_SECOND: Record<EngineKind, number> = {
  local: 200 * 1024 * 1024,
  'azure-sql': 20 * 1024 * 1024,
  sqlserver: 50 * 1024 * 1024,
};

/** `moreChecks` are what only the caller can answer (the CLI asks Temporal whether a lease is held). */
export async function planRefresh(deps: ActivityDeps, source: string, target: string, moreChecks: CheckResult[] = []): Promise<RefreshPlan> {
  // PRECHECK runs outside an activity here: runStepActivity needs no Temporal context.
  const operationId = `plan-${target}-${crypto.randomBytes(3).toString('hex')}`;
  const precheck = await createPrecheckRefreshActivities(deps).precheckRefresh({ operationId, source, target });
  const checks = [...precheck.checks, ...moreChecks];
  const ready = !checks.some(isRefusal);
  const plan: RefreshPlan = { source, target, checks, ready };
  const catalog = deps.catalog();
  let sourceEnv, targetEnv;
  try {
    sourceEnv = findEnvironment(catalog, source);
    targetEnv = findEnvironment(catalog, target);
  } catch {
    return plan; // the checks say which name is unknown
  }
  const engine = deps.engineFor(sourceEnv);
  const facts = await engine.inspect(sourceEnv);
  if (!facts.exists) return plan;
  plan.copy = { bytes: facts.sizeBytes, engine: sourceEnv.engine };

  const policy = policyFor('refresh', targetEnv);
  const { counts, copied, dialect } = await withSession(engine.openLive(sourceEnv), async (session) => ({
    counts: await countScrubPolicy(session, policy),
    copied: await session.introspect(),
    dialect: session.dialect,
  }));
  plan.scrub = {
    policy: policy.sources.map((s) => s.split('/').pop()!),
    elements: policy.elements.map((element) => {
      const tables = counts.filter((c) => c.element === element.id).map((c) => ({ table: c.table, rows: c.rows }));
      return { id: element.id, description: element.description, rows: tables.reduce((n, t) => n + t.rows, 0), tables };
    }),
    rows: counts.reduce((n, c) => n + c.rows, 0),
  };

  if (deps.engineFor(targetEnv).kind === engine.kind && (await deps.engineFor(targetEnv).inspect(targetEnv)).exists) {
    const sync = planSchemaSync(await targetSchema(deps, targetEnv), copied, dialect);
    plan.sync = {
      actions: sync.actions.filter((a) => a.kind !== 'check-not-null').map(describeSyncAction),
      incompatibilities: sync.incompatibilities.map((i) => `${i.table}${i.column ? `.${i.column}` : ''}: ${i.problem}`),
      kept: sync.kept.length,
    };
  }

  const rate = ASSUMED_COPY_BYTES_PER_SECOND[sourceEnv.engine];
  plan.estimate = {
    copySeconds: facts.sizeBytes !== undefined ? Math.max(1, Math.round(facts.sizeBytes / rate)) : undefined,
    broadcastLeadSeconds: targetEnv.notifications ? parseDuration(targetEnv.notifications.broadcastLeadTime) / 1000 : 0,
    basis: `copy at an assumed ${Math.round(rate / 1024 / 1024)} MiB/s for the ${sourceEnv.engine} engine, plus the downtime notice's lead time before SWAP; scrub, sync and verify add seconds to minutes`,
  };
  return plan;
}
