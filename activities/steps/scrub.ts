import type { StepOutcome } from '../../workflows/types';
import { applyScrubPolicy } from '../policy/apply-policy';
import { policyFor, type PolicyKind } from '../policy/policy-for';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';

export function createScrubActivities(deps: ActivityDeps) {
  return {
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
          notes: [...results.map((r) => `${r.description}: ${r.rows} rows (${r.kind}, ${r.durationMs.toFixed(0)} ms)`), ...skipped.map((s) => `Skipped ${s}`)],
          details: {
            policy: policy.sources.map((s) => s.split('/').pop()),
            elements: results.map((r) => ({ id: r.id, kind: r.kind, rows: r.rows, ms: Math.round(r.durationMs) })),
          },
        };
      });
    },
  };
}
