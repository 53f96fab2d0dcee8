import type { StepOutcome } from '../../workflows/types';
import { applyScrubPolicy } from '../policy/apply-policy';
import { policyFor, type PolicyKind } from '../policy/policy-for';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import { withSession } from '../sessions';

export function createScrubActivities(deps: ActivityDeps) {
  return {
    /**
     * SCRUB: the policy of elements that must not travel, applied to staging; on the T-SQL
     * engines also the database users the copy brought (with their credentials) and change
     * tracking. Encrypted values it clears go onto the sign-off checklist, to be re-entered.
     */
    async scrubStaging(input: { operationId: string; target: string; policy: PolicyKind; policyEnvironment?: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'SCRUB', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const policy = policyFor(input.policy, scope.environment(input.policyEnvironment ?? input.target));
        const engine = scope.engine(target);
        const principalNotes: string[] = [];
        const results = await withSession(engine.openStaging(target, input.operationId), async (session) => {
          if (engine.principals) {
            const cleared = await engine.principals.clearCopied(session);
            principalNotes.push(
              `Dropped the database users the copy brought: ${cleared.users.join(', ') || 'none'} (dbo kept)${cleared.certificates.length ? `, and their certificates ${cleared.certificates.join(', ')}` : ''}; change tracking off on ${cleared.changeTrackingTables} tables and on the database`,
            );
          } else {
            principalNotes.push(`The ${target.engine} engine has no database users (SQLite has none): no copied users to drop`);
          }
          return applyScrubPolicy(session, policy, {
            referencedByForeignKey: session.referencedByForeignKey?.bind(session),
            between: async (id) => {
              scope.heartbeat((100 * (policy.elements.findIndex((e) => e.id === id) + 1)) / policy.elements.length, `scrubbed ${id}`);
              await scope.engineContext().checkpoint?.('scrub-element');
            },
          });
        });
        const rows = results.reduce((n, r) => n + r.rows, 0);
        const skipped = results.flatMap((r) => r.tables.filter((t) => t.skipped).map((t) => `${r.id}: ${t.table} (${t.skipped})`));
        const checklist = policy.elements.filter((e) => e.reenter && (results.find((r) => r.id === e.id)?.rows ?? 0) > 0).map((e) => e.reenter as string);
        return {
          summary: `${results.length} elements scrubbed, ${rows} rows changed`,
          activityMs: elapsed(started),
          rowsAffected: rows,
          notes: [
            ...results.map((r) => `${r.description}: ${r.rows} rows (${r.kind}, ${r.durationMs.toFixed(0)} ms)`),
            ...skipped.map((s) => `Skipped ${s}`),
            ...principalNotes,
          ],
          checklist,
          details: {
            policy: policy.sources.map((s) => s.split('/').pop()),
            elements: results.map((r) => ({ id: r.id, kind: r.kind, rows: r.rows, ms: Math.round(r.durationMs) })),
          },
        };
      });
    },
  };
}
