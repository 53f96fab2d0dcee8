import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { importRefusalReason } from '../../../engines/capabilities';
import { ActivityDeps, runStepActivity } from '../../runtime';
import { holder, precheckOutcome, replaceableTarget, versionChecks } from './checks';
import { removeLeftovers, spaceCheck } from './runtime-checks';
import { tuningOf } from '../../environment-settings';

export function createPrecheckImportActivities(deps: ActivityDeps) {
  return {
    /** PRECHECK of an import: the file is checked (format, checksums, versions) before anything is touched. */
    async precheckImport(input: { operationId: string; target: string; input: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const checks: CheckResult[] = [];
        const reading = await replaceableTarget(deps, scope, input.target, 'an import', checks);
        if (reading) {
          const engine = scope.engine(reading.env);
          const refused = importRefusalReason(reading.env.engine, reading.env.name);
          if (refused || !engine.readBackup) {
            checks.push({
              name: 'backup-valid',
              ok: false,
              message: refused?.problem ?? `The ${reading.env.engine} engine cannot read a backup before import`,
              fix: refused?.instead ?? "import with the platform's own tools",
            });
          } else {
            try {
              const manifest = await engine.readBackup(reading.env, input.input);
              checks.push({
                name: 'backup-valid',
                ok: true,
                message: `${input.input}: a backup of ${manifest.source.environment} taken ${manifest.createdAt} by ${manifest.operationId}, checksums correct`,
              });
              const space = await spaceCheck(
                scope,
                reading.env,
                (manifest.content?.bytes ?? 0) + (reading.sizeBytes ?? 0),
                'the restored backup and the restore point',
              );
              if (space) checks.push(space);
              checks.push(
                ...versionChecks(
                  {
                    name: `the backup of ${manifest.source.environment}`,
                    reading: {
                      versions: manifest.versions,
                      sources: Object.fromEntries(
                        Object.keys(manifest.versions).map((k) => [
                          k,
                          `the backup's manifest${manifest.versionSources?.[k as keyof typeof manifest.versions] ? `, from ${manifest.versionSources[k as keyof typeof manifest.versions]}` : ''}`,
                        ]),
                      ),
                    },
                  },
                  holder(reading),
                  deps.catalog().defaults.minimumPlatformUpdate,
                ),
              );
            } catch (err) {
              checks.push({ name: 'backup-valid', ok: false, message: (err as Error).message, fix: 'give a complete file written by `dbmove export`' });
            }
          }
        }
        const notes = reading ? await removeLeftovers(scope, reading.env) : [];
        return {
          ...precheckOutcome(checks, started, reading?.env.approvers ?? []),
          notes,
          tuning: reading ? tuningOf(deps.catalog(), reading.env) : undefined,
        };
      });
    },
  };
}
