import * as path from 'node:path';
import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../deps';
import type { BackupManifest } from '../../engines/port';
import { FACT, readEnvironmentFacts, writeEnvironmentFacts } from '../environment-facts';
import { formatBytes } from '../../engines/local/local-engine';
import { withSession } from '../sessions';
import { policyFor } from './prepare';
import { assertReplaceable } from './finish';

export function createBackupActivities(deps: ActivityDeps) {
  return {
    /** PACKAGE: the scrubbed copy becomes one backup with its manifest; the temporary copy goes at once. */
    async packageBackup(input: { operationId: string; source: string; output: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'PACKAGE', input.operationId, async (scope) => {
        const started = performance.now();
        const source = scope.environment(input.source);
        const engine = scope.engine(source);
        const existing = await engine.readBackup?.(source, input.output).catch(() => undefined);
        if (existing?.operationId === input.operationId) {
          await engine.dropStaging(source, input.operationId);
          return { summary: `${input.output} already written by this operation`, activityMs: elapsed(started), notes: [], holdings: [], details: { output: input.output } };
        }
        const facts = await withSession(engine.openStaging(source, input.operationId), readEnvironmentFacts);
        const policy = policyFor('export', source);
        const manifest: Omit<BackupManifest, 'content'> = {
          operationId: input.operationId,
          createdAt: new Date().toISOString(),
          source: { environment: source.name, type: source.type, engine: source.engine },
          versions: { applicationRelease: facts.applicationRelease, platformUpdate: facts.platformUpdate, financialReporting: facts.financialReporting },
          policy: { sources: policy.sources.map((s) => path.basename(s)), elements: policy.elements.map((e) => e.id) },
        };
        const result = await engine.exportStaging(source, input.operationId, input.output, manifest as unknown as Record<string, unknown>, scope.engineContext());
        const dropped = await engine.dropStaging(source, input.operationId);
        return {
          summary: `wrote ${result.destination} (${formatBytes(result.bytes)}, sha256 ${result.checksum.slice(0, 12)}…)`,
          activityMs: elapsed(started),
          notes: [...result.notes, ...dropped.map((h) => `Removed the temporary copy ${h.location}`)],
          holdings: [],
          details: { output: result.destination, bytes: result.bytes, checksum: result.checksum },
        };
      });
    },

    /** Rollback or cancellation of an export: the temporary copy and this operation's own backup go. */
    async discardExport(input: { operationId: string; source: string; output: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'ROLLBACK', input.operationId, async (scope) => {
        const started = performance.now();
        const source = scope.environment(input.source);
        const engine = scope.engine(source);
        const dropped = await engine.dropStaging(source, input.operationId);
        const removed = (await engine.removeBackup?.(source, input.output, input.operationId)) ?? false;
        return {
          summary: `${dropped.length ? 'temporary copy removed' : 'no temporary copy left'}; ${removed ? `${input.output} removed` : 'no backup of this operation to remove'}`,
          activityMs: elapsed(started),
          notes: [`${input.source} was only ever read`],
          holdings: [],
        };
      });
    },

    /** RESTORE (import): the checked backup goes into the target's staging database. */
    async importBackup(input: { operationId: string; target: string; input: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'RESTORE', input.operationId, async (scope) => {
        const started = performance.now();
        // Checked again at the moment of use: a catalog edited since PRECHECK cannot aim a restore at production.
        const target = await assertReplaceable(scope, input.target, 'RESTORE');
        const engine = scope.engine(target);
        const copy = await engine.importToStaging(target, input.input, input.operationId, scope.engineContext());
        return { summary: `${input.input} restored into ${target.name}'s staging (${formatBytes(copy.bytes)})`, activityMs: elapsed(started), notes: copy.notes, holdings: await engine.holdings(target, input.operationId) };
      });
    },

    /** RESTORE (point in time): the target as it was, into staging, stamped with this operation. */
    async restorePointInTime(input: { operationId: string; target: string; to: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'RESTORE', input.operationId, async (scope) => {
        const started = performance.now();
        const target = await assertReplaceable(scope, input.target, 'RESTORE');
        const engine = scope.engine(target);
        const restored = await engine.restoreToStaging(target, input.to, input.operationId, scope.engineContext());
        // The stamp lets rollback tell, from the target itself, whether the swap happened.
        await withSession(engine.openStaging(target, input.operationId), (session) => writeEnvironmentFacts(session, { [FACT.lastOperation]: input.operationId }));
        return {
          summary: `${target.name} as of ${restored.restoredTo} prepared in staging`,
          activityMs: elapsed(started),
          notes: restored.notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { restoredTo: restored.restoredTo },
        };
      });
    },
  };
}
