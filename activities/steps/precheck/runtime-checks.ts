import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '../../../common/format';
import type { EnvironmentConfig } from '../../../config/catalog';
import type { CheckResult } from '../../../workflows/types';
import { withSettings } from '../../environment-settings';
import type { ActivityDeps, ActivityScope } from '../../runtime';

/**
 * PRECHECK's checks of the database files themselves: the source's integrity before anything
 * is copied, free space for what the operation will write, and what crashed processes left.
 */

/**
 * The live database's structure, at the environment's `integrityCheck` level: `quick` (SQLite's
 * quick_check: every page of every b-tree read and checked, O(size): about a second per
 * 500 MB here) is the default; `full` (integrity_check) also checks every index against its
 * table and costs several times more; `off` checks only the file's header (size and format).
 */
export async function integrityCheck(deps: ActivityDeps, scope: ActivityScope, env: EnvironmentConfig, role: string): Promise<CheckResult> {
  const engine = scope.engine(env);
  const level = withSettings(deps.catalog(), env).integrityCheck ?? 'quick';
  if (!engine.checkIntegrity) return { name: `integrity-${env.name}`, ok: true, message: `${env.name}'s platform checks its own pages` };
  const result = await engine.checkIntegrity(env, 'live', level === 'off' ? 'header' : level, scope.engineContext());
  const what = level === 'full' ? "SQLite's integrity_check" : level === 'quick' ? "SQLite's quick_check" : 'a check of its header (integrityCheck: off)';
  if (result.ok) {
    return { name: `integrity-${env.name}`, ok: true, message: `${env.name}'s database passed ${what} in ${(result.durationMs / 1000).toFixed(1)} s` };
  }
  const tables = result.tables.length ? ` in ${result.tables.join(', ')}` : '';
  return {
    name: `integrity-${env.name}`,
    ok: false,
    message: `The ${role} ${env.name} is damaged${tables}: ${result.messages.slice(0, 3).join('; ')}`,
    fix: `repair or restore ${env.name}'s database first (from its own backup, or sqlite3 .recover into a new file); copying it would spread the damage, and no retry can fix it`,
  };
}

/** Free space where the operation writes, against what it will write. */
export async function spaceCheck(scope: ActivityScope, env: EnvironmentConfig, neededBytes: number, needs: string): Promise<CheckResult | undefined> {
  const engine = scope.engine(env);
  if (!engine.freeSpace) return undefined;
  const { location, freeBytes } = await engine.freeSpace(env);
  // Headroom: journals, manifests, and what else shares the disk meanwhile.
  const wanted = Math.ceil(neededBytes * 1.05) + 16 * 1024 * 1024;
  if (freeBytes >= wanted) {
    return {
      name: `free-space-${env.name}`,
      ok: true,
      message: `${formatBytes(freeBytes)} free at ${location}; ${needs} need about ${formatBytes(neededBytes)}`,
    };
  }
  return {
    name: `free-space-${env.name}`,
    ok: false,
    message: `Only ${formatBytes(freeBytes)} free at ${location}; ${needs} need about ${formatBytes(wanted)}`,
    fix: `free at least ${formatBytes(wanted - freeBytes)} there (old exports, signed-off restore points past their retention), then start again`,
  };
}

/** Free space in the folder a backup file goes to. */
export async function outputSpaceCheck(output: string, neededBytes: number): Promise<CheckResult> {
  const dir = path.dirname(path.resolve(output));
  const stat = await fs.promises.statfs(dir);
  const freeBytes = Number(stat.bavail) * Number(stat.bsize);
  const wanted = Math.ceil(neededBytes) + 16 * 1024 * 1024;
  if (freeBytes >= wanted) return { name: 'free-space-output', ok: true, message: `${formatBytes(freeBytes)} free at ${dir} for the backup` };
  return {
    name: 'free-space-output',
    ok: false,
    message: `Only ${formatBytes(freeBytes)} free at ${dir}; the backup may need up to ${formatBytes(wanted)}`,
    fix: 'free space there, or choose another --output',
  };
}

/** Removes what crashed processes left beside `env`'s database; the notes say what went. */
export async function removeLeftovers(scope: ActivityScope, env: EnvironmentConfig): Promise<string[]> {
  const engine = scope.engine(env);
  const removed = (await engine.removeLeftovers?.(env, [scope.operationId])) ?? [];
  return removed.map((file) => `Removed ${file}, left behind by a process that crashed`);
}
