import * as crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { FaultPlan } from '../activities/faults';
import { findEnvironment, type EngineKind, type LoadedCatalog } from '../config/catalog';
import type { EngineRegistry } from '../engines/registry';
import { leaseHolder } from './leases';
import { parseDuration } from '../config/durations';
import type { CheckResult } from '../workflows/types';
import type { ActivityDeps } from '../activities/runtime';
import { countScrubPolicy } from '../activities/policy/apply-policy';
import { withSession } from '../activities/sessions';
import { createPrecheckRefreshActivities } from '../activities/steps/precheck/refresh';
import { policyFor } from '../activities/policy/policy-for';
import { targetSchema } from '../activities/sync/target-schema';
import { describeSyncAction, planSchemaSync } from '../activities/sync/schema-sync';
import { isRefusal } from '../common/checks';

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

export interface PlanContext {
  catalog: () => LoadedCatalog;
  engines: EngineRegistry;
  stateDir: string;
  /** Temporal, to tell whether an open operation holds the target; undefined when it cannot be reached. */
  temporal?: { client: Client; taskQueue: string };
}

/** The check the workflow makes when it takes the target's lease, read here without taking it. */
async function leaseCheck(context: PlanContext, target: string): Promise<CheckResult> {
  const name = 'no-open-operation';
  if (!context.temporal) {
    return {
      name,
      ok: true,
      severity: 'warning',
      message: `Temporal is not reachable, so whether an open operation holds ${target} is not known`,
      fix: 'start Temporal (dbmove server) and plan again',
    };
  }
  const holder = await leaseHolder(context.temporal.client, target, context.temporal.taskQueue, { ask: false });
  if (holder)
    return {
      name,
      ok: false,
      message: `${target} has an operation that is not signed off: ${holder.operationId}`,
      fix: `sign it off (dbmove sign-off ${holder.operationId}) or roll it back first`,
    };
  return { name, ok: true, message: `No other operation holds ${target}` };
}

export async function planRefresh(context: PlanContext, source: string, target: string): Promise<RefreshPlan> {
  const deps: ActivityDeps = {
    catalog: context.catalog,
    engineFor: context.engines,
    faults: new FaultPlan(new Map(), context.stateDir), // a dry run never injects faults
    secret: (name) => process.env[name],
    stateDir: context.stateDir,
  };
  // PRECHECK runs outside an activity here: runStepActivity needs no Temporal context.
  const operationId = `plan-${target}-${crypto.randomBytes(3).toString('hex')}`;
  const precheck = await createPrecheckRefreshActivities(deps).precheckRefresh({ operationId, source, target });
  const checks = [...precheck.checks, await leaseCheck(context, target)];
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

  if (targetEnv.databaseSync) {
    // The platform's own synchronisation decides its changes when it runs; dbmove cannot list them ahead.
    plan.sync = {
      actions: [`${targetEnv.name}'s database synchronisation runs at SYNC (databaseSync.command in the catalog); its changes are the platform's`],
      incompatibilities: [],
      kept: 0,
    };
  } else if (deps.engineFor(targetEnv).kind === engine.kind && (await deps.engineFor(targetEnv).inspect(targetEnv)).exists) {
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
