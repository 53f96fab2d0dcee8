import { UnsupportedByEngine } from '../../common/errors';
import { formatBytes } from '../../common/format';
import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

type Op = { operationId: string; source: string; target: string };

export function createCopyActivities(deps: ActivityDeps) {
  return {
    /** COPY: a consistent copy of the live source into the target's staging; the source is only read. */
    async copyToStaging(input: Op): Promise<StepOutcome> {
      return runStepActivity(deps, 'COPY', input.operationId, async (scope) => {
        const started = performance.now();
        const source = scope.environment(input.source);
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        if (scope.engine(source).kind !== engine.kind) {
          throw new UnsupportedByEngine(
            target.engine,
            `copy ${source.name} (a ${source.engine} database) into ${target.name}`,
            `A refresh copies within one engine. Export ${source.name} and import the backup instead`,
          );
        }
        const copy = await engine.copyToStaging(source, target, input.operationId, scope.engineContext());
        const seconds = Math.max(copy.durationMs, 1) / 1000;
        return {
          summary: copy.resumed
            ? `staging copy already complete (${formatBytes(copy.bytes)})`
            : `copied ${formatBytes(copy.bytes)} from ${source.name} in ${seconds.toFixed(2)} s (${formatBytes(copy.bytes / seconds)}/s)`,
          activityMs: elapsed(started),
          notes: copy.notes,
          holdings: await engine.holdings(target, input.operationId),
          details: { bytes: copy.bytes, copyMs: Math.round(copy.durationMs), resumed: copy.resumed },
        };
      });
    },
  };
}
