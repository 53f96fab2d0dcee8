import { DatabaseSyncFailed } from '../../common/errors';
import type { EnvironmentConfig } from '../../config/catalog';
import { parseDuration } from '../../config/durations';
import { describeCommand, howItEnded, runCommand } from '../external/command';
import type { ActivityDeps, ActivityScope } from '../runtime';

/**
 * SYNC through the platform's own database synchronisation, when the target names one
 * (catalog `databaseSync`): for F&O, a full synchronisation (SyncEngine.exe -syncmode=fullall),
 * which Microsoft's procedure requires after a database move and which also recreates views
 * and data entities. It runs against the staging database: {server}, {database} and
 * {location} in its arguments, and DBMOVE_STAGING_SERVER, _DATABASE and _LOCATION in its
 * environment, are the staging database's. Every line it prints becomes the step's progress
 * (a percentage in the line moves the bar); a silent stretch still heartbeats; an exit code
 * other than 0 fails the step with the end of its output.
 */
export interface PlatformSyncResult {
  summary: string;
  notes: string[];
  durationMs: number;
}

const PLACEHOLDER = /\{(server|database|location)\}/g;
const PERCENT = /(\d{1,3}(?:\.\d+)?)\s*%/;

export async function runPlatformSync(deps: ActivityDeps, scope: ActivityScope, target: EnvironmentConfig, operationId: string): Promise<PlatformSyncResult> {
  const sync = target.databaseSync!;
  const address = scope.engine(target).stagingAddress(target, operationId);
  const values = { server: address.server ?? '', database: address.database, location: address.location };
  const argv = sync.command.map((arg) => arg.replace(PLACEHOLDER, (_, key: keyof typeof values) => values[key]));
  const what = describeCommand(sync.command);
  const timeoutMs = parseDuration(sync.timeout);
  const started = performance.now();
  let percent = 0;
  let lines = 0;
  let lastLine = '';
  const quiet = setInterval(
    () => scope.heartbeat(percent, `${what}: still running (${Math.round((performance.now() - started) / 1000)} s)${lastLine ? `; last: ${lastLine}` : ''}`),
    10_000,
  );
  let result;
  try {
    result = await runCommand(argv, {
      cwd: deps.catalog().directory,
      env: {
        DBMOVE_ENVIRONMENT: target.name,
        DBMOVE_OPERATION: operationId,
        DBMOVE_STAGING_LOCATION: address.location,
        DBMOVE_STAGING_DATABASE: address.database,
        DBMOVE_STAGING_SERVER: address.server ?? '',
      },
      timeoutMs,
      signal: scope.engineContext().signal,
      onLine: (line) => {
        lines++;
        lastLine = line.trim().slice(0, 200);
        const m = PERCENT.exec(line);
        if (m) percent = Math.min(100, Number(m[1]));
        scope.heartbeat(percent, lastLine);
      },
    });
  } catch (err) {
    throw new DatabaseSyncFailed(
      `SYNC: ${target.name}'s database synchronisation ${what} could not be started: ${(err as Error).message}. Correct databaseSync.command in the catalog, then retry`,
    );
  } finally {
    clearInterval(quiet);
  }
  if (result.exitCode !== 0) {
    const output = result.tail.filter((l) => l.trim()).slice(-20);
    throw new DatabaseSyncFailed(
      `SYNC: ${target.name}'s database synchronisation ${what} ${howItEnded(result, timeoutMs)}. Its last output:\n${output.join('\n') || '(none)'}\nFix the cause (often a customisation the copied data does not fit), then retry SYNC, or roll back`,
    );
  }
  return {
    summary: `${target.name}'s database synchronisation completed in ${(result.durationMs / 1000).toFixed(1)} s (${lines} lines of output)`,
    notes: [
      `Ran ${what} against ${address.location}`,
      ...result.tail
        .filter((l) => l.trim())
        .slice(-5)
        .map((l) => `sync: ${l.trim().slice(0, 300)}`),
    ],
    durationMs: result.durationMs,
  };
}
