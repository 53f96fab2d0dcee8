import type { EnvironmentConfig } from '../config/catalog';
import type { EngineRegistry } from '../engines/registry';
import { importRefusal } from '../engines/capabilities';
import type { BackupManifest, RestoreWindow } from '../engines/port';
import { planRestore, type RestoreDecision, type RestoreRequest } from '../common/restore-plan';

/**
 * What the command line (or a script) can check before it starts an import or a restore, with
 * the same code PRECHECK runs, so that bad input is refused before anything starts.
 */

/**
 * Reads and checks a backup for import into `target`: format, manifest and checksums. Throws
 * InvalidBackup for a bad file, and UnsupportedByEngine (naming where import works) when the
 * target's engine cannot import at all.
 */
export async function checkBackup(engines: EngineRegistry, target: EnvironmentConfig, location: string): Promise<BackupManifest> {
  const refused = importRefusal(target.engine, target.name);
  if (refused) throw refused;
  const engine = engines(target);
  if (!engine.readBackup) throw new Error(`The ${target.engine} engine declares that it imports, but it cannot read a backup (readBackup is missing)`);
  return engine.readBackup(target, location);
}

/** What `env` can be restored to: its kept restore points, or its continuous window. */
export async function restoreWindow(engines: EngineRegistry, env: EnvironmentConfig): Promise<RestoreWindow> {
  return engines(env).restorePoints(env);
}

/**
 * What a restore of `env` as `request` asks would give back (the time whose state, and whether
 * it is the time asked), or why it cannot: the rule PRECHECK and the engine apply again.
 */
export async function checkRestore(engines: EngineRegistry, env: EnvironmentConfig, request: RestoreRequest, window?: RestoreWindow): Promise<RestoreDecision> {
  return planRestore(env.name, request, window ?? (await restoreWindow(engines, env)));
}
