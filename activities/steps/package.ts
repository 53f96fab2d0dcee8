import * as path from 'node:path';
import { formatBytes } from '../../common/format';
import type { BackupManifest } from '../../engines/port';
import type { StepOutcome } from '../../workflows/types';
import { readDeploymentVersions } from '../deployment/versions';
import { policyFor } from '../policy/policy-for';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';

export function createPackageActivities(deps: ActivityDeps) {
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
          return {
            summary: `${input.output} already written by this operation`,
            activityMs: elapsed(started),
            notes: [],
            holdings: [],
            details: { output: input.output },
          };
        }
        // The versions of the deployment the data comes from, and where they were read: import checks them.
        const versions = await readDeploymentVersions(deps.catalog(), source, deps.secret, scope.engineContext().signal);
        const policy = policyFor('export', source);
        const manifest: Omit<BackupManifest, 'content'> = {
          operationId: input.operationId,
          createdAt: new Date().toISOString(),
          source: { environment: source.name, type: source.type, engine: source.engine },
          versions: versions.versions,
          versionSources: versions.sources,
          policy: { sources: policy.sources.map((s) => path.basename(s)), elements: policy.elements.map((e) => e.id) },
        };
        const result = await engine.exportStaging(source, input.operationId, input.output, manifest, scope.engineContext());
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
  };
}
