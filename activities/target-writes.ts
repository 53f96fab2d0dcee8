import * as fs from 'node:fs';
import * as path from 'node:path';
import { TargetChangedSinceMarker } from '../common/errors';
import type { EnvironmentConfig } from '../config/catalog';
import type { DatabaseEngine } from '../engines/port';
import type { TargetWritesSeen } from '../workflows/types';
import type { ActivityDeps, ActivityScope } from './runtime';

/**
 * The writes question, asked just before SWAP takes the target offline: did the target's own
 * users change it since MARKER? dbmove never writes the live target before SWAP, so whatever
 * changed was written by its application, acknowledged to its users, and is about to be
 * replaced by the new data (Lifecycle Services overwrites a target the same way, and says so).
 *
 * `onTargetWrites: warn` (the default) swaps and says how many rows in which tables were
 * overwritten, in the step's notes, the status, the log and the Web UI's details. `stop`
 * fails SWAP before the target is touched (TargetChangedSinceMarker): roll back to keep the
 * writes, or retry to swap anyway (the retry overwrites them, and says so). After SWAP, a
 * rollback returns the target to MARKER: writes made after SWAP are replaced the same way.
 */
export async function checkTargetWrites(
  deps: ActivityDeps,
  scope: ActivityScope,
  engine: DatabaseEngine,
  target: EnvironmentConfig,
): Promise<{ seen?: TargetWritesSeen; notes: string[] }> {
  if (!engine.writesSinceMarker) return { notes: [] };
  const writes = await engine.writesSinceMarker(target, scope.operationId, scope.engineContext());
  if (writes.changed === false) return { notes: [`${target.name} was not written since MARKER (${writes.method})`] };
  if (writes.changed === 'unknown') return { notes: [`Whether ${target.name} was written since MARKER cannot be told here (${writes.method})`] };
  const tables = writes.tables.map((t) => `${t.table}: ${t.rows}`).join(', ');
  const decided = path.join(deps.stateDir, 'decisions', `${scope.operationId}.target-writes.json`);
  if (target.onTargetWrites === 'stop' && !fs.existsSync(decided)) {
    fs.mkdirSync(path.dirname(decided), { recursive: true });
    fs.writeFileSync(decided, JSON.stringify({ rows: writes.rows, tables: writes.tables, at: new Date().toISOString() }));
    throw new TargetChangedSinceMarker(
      `${target.name} was written by its users since MARKER: ${writes.rows} rows changed (${tables}). SWAP would replace them with the new data, so it stopped before touching ${target.name} (onTargetWrites: stop). ` +
        `Roll back to keep ${target.name} as it is now (dbmove rollback ${scope.operationId}), or retry to swap anyway and overwrite them (dbmove retry ${scope.operationId})`,
    );
  }
  return {
    seen: { rows: writes.rows, tables: writes.tables, outcome: 'overwritten', at: new Date().toISOString() },
    notes: [
      `${target.name} was written by its users since MARKER: ${writes.rows} rows changed (${tables}); SWAP replaces them with the new data, as a refresh always overwrites its target (set onTargetWrites: stop in the catalog to stop instead)`,
    ],
  };
}
