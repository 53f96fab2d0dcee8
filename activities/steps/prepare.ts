import * as fs from 'node:fs';
import type { EnvironmentConfig } from '../../config/catalog';
import type { Marker, StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../deps';
import { formatBytes } from '../../engines/local/local-engine';
import type { SchemaDefinition } from '../../engines/schema';
import { applyScrubPolicy } from '../policy/apply-policy';
import { EXPORT_POLICY, loadScrubPolicy, REFRESH_POLICY, shippedPolicyFile } from '../policy/scrub-policy';
import { withSession } from '../sessions';
import { applySchemaSync, describeSyncAction, planSchemaSync } from '../sync/schema-sync';
import { assertReplaceable } from './finish';

export type PolicyKind = 'refresh' | 'export';

/** The shipped policy for the operation, then the environment's own extensions. */
export function policyFor(kind: PolicyKind, env: EnvironmentConfig) {
  return loadScrubPolicy([shippedPolicyFile(kind === 'refresh' ? REFRESH_POLICY : EXPORT_POLICY), ...env.scrubPolicies]);
}

/** The target's own schema: its definition file when the catalog names one, else its live database. */
export async function targetSchema(deps: ActivityDeps, env: EnvironmentConfig): Promise<SchemaDefinition> {
  if (env.schemaDefinition) return JSON.parse(fs.readFileSync(env.schemaDefinition, 'utf8')) as SchemaDefinition;
  return withSession(deps.engineFor(env).openLive(env), (s) => s.introspect());
}

type Op = { operationId: string; source: string; target: string };

export function createPrepareActivities(deps: ActivityDeps) {
  return {
    /** MARKER: the point in time rollback returns to; the target stays online. */
    async markPointInTime(input: { operationId: string; target: string }): Promise<StepOutcome & { marker: Marker }> {
      return runStepActivity(deps, 'MARKER', input.operationId, async (scope) => {
        const started = performance.now();
        // A restore point taken of the wrong database would later be restored as this one.
        const target = await assertReplaceable(scope, input.target, 'MARKER');
        const engine = scope.engine(target);
        const marker = await engine.markPointInTime(target, input.operationId, scope.engineContext());
        return {
          summary: `${target.name} can be returned to ${marker.at}`,
          activityMs: elapsed(started),
          notes: [`Restore point ${marker.restorePoint} recorded for ${target.name}`],
          marker,
          holdings: await engine.holdings(target, input.operationId),
        };
      });
    },

    /** COPY: a consistent copy of the live source into the target's staging; the source is only read. */
    async copyToStaging(input: Op): Promise<StepOutcome> {
      return runStepActivity(deps, 'COPY', input.operationId, async (scope) => {
        const started = performance.now();
        const source = scope.environment(input.source);
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        if (scope.engine(source).kind !== engine.kind) {
          throw Object.assign(new Error(`${source.name} uses the ${source.engine} engine and ${target.name} the ${target.engine} engine; a refresh copies within one engine. Export ${source.name} and import the backup instead`), { name: 'UnsupportedByEngine' });
        }
        const copy = await engine.copyToStaging(source, target, input.operationId, scope.engineContext());
        const seconds = Math.max(copy.durationMs, 1) / 1000;
        return {
          summary: copy.resumed ? `staging copy already complete (${formatBytes(copy.bytes)})` : `copied ${formatBytes(copy.bytes)} from ${source.name} in ${seconds.toFixed(2)} s (${formatBytes(copy.bytes / seconds)}/s)`,
          activityMs: elapsed(started),
          notes: copy.notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { bytes: copy.bytes, copyMs: Math.round(copy.durationMs), resumed: copy.resumed },
        };
      });
    },

    /** SCRUB: the policy of elements that must not travel, applied to staging. */
    async scrubStaging(input: { operationId: string; target: string; policy: PolicyKind; policyEnvironment?: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'SCRUB', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const policy = policyFor(input.policy, scope.environment(input.policyEnvironment ?? input.target));
        const engine = scope.engine(target);
        const results = await withSession(engine.openStaging(target, input.operationId), (session) =>
          applyScrubPolicy(session, policy, {
            referencedByForeignKey: session.referencedByForeignKey?.bind(session),
            between: async (id) => {
              scope.heartbeat((100 * (policy.elements.findIndex((e) => e.id === id) + 1)) / policy.elements.length, `scrubbed ${id}`);
              await scope.engineContext().checkpoint?.('scrub-element');
            },
          }),
        );
        const rows = results.reduce((n, r) => n + r.rows, 0);
        const skipped = results.flatMap((r) => r.tables.filter((t) => t.skipped).map((t) => `${r.id}: ${t.table} (${t.skipped})`));
        return {
          summary: `${results.length} elements scrubbed, ${rows} rows changed`,
          activityMs: elapsed(started),
          rowsAffected: rows,
          notes: [
            ...results.map((r) => `${r.description}: ${r.rows} rows (${r.kind}, ${r.durationMs.toFixed(0)} ms)`),
            ...skipped.map((s) => `Skipped ${s}`),
          ],
          details: {
            policy: policy.sources.map((s) => s.split('/').pop()),
            elements: results.map((r) => ({ id: r.id, kind: r.kind, rows: r.rows, ms: Math.round(r.durationMs) })),
          },
        };
      });
    },

    /** SYNC: the target's own schema applied to the copied data. */
    async syncSchema(input: { operationId: string; target: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'SYNC', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const definition = await targetSchema(deps, target);
        const engine = scope.engine(target);
        const outcome = await withSession(engine.openStaging(target, input.operationId), async (session) => {
          const plan = planSchemaSync(definition, await session.introspect(), session.dialect);
          return applySchemaSync(session, plan, target.name);
        });
        const count = (kind: string) => outcome.applied.filter((a) => a.kind === kind).length;
        return {
          summary: outcome.applied.length
            ? `${count('create-table')} tables, ${count('add-column')} columns and ${count('create-index')} indexes added, ${count('drop-index')} indexes dropped`
            : `the copied data already matches ${target.name}'s schema`,
          activityMs: elapsed(started),
          notes: [
            ...outcome.applied.map(describeSyncAction),
            ...(outcome.kept.length ? [`Kept, not defined by ${target.name}: ${outcome.kept.slice(0, 20).join(', ')}`] : []),
          ],
          details: { applied: outcome.applied.map((a) => ({ kind: a.kind, table: a.table })), kept: outcome.kept.length },
        };
      });
    },
  };
}
