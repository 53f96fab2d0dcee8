import { goInstall, GoInstallFailed, hasGo } from './go-install';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../config/package-root';

/**
 * Where the Temporal CLI (dev server and Web UI) comes from, in order:
 *   1. DBMOVE_TEMPORAL_CLI, or `temporal` on PATH;
 *   2. the copy built earlier into .cache/temporal/bin (git-ignored);
 *   3. a build of the pinned version from the Go module proxy into that folder (minutes,
 *      once), which works on machines whose only way out is a package proxy;
 *   4. nothing: callers then fall back to the Temporal SDK's own download.
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** v1.5.1 is the last release `go install` accepts; later ones carry a replace directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export interface LocatedCli {
  path: string;
  source: 'environment' | 'path' | 'cache' | 'built';
}

export function cacheDir(): string {
  return path.join(packageRoot(), '.cache', 'temporal', 'bin');
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

export function findTemporalCli(): LocatedCli | undefined {
  if (process.env.DBMOVE_TEMPORAL_CLI) return { path: process.env.DBMOVE_TEMPORAL_CLI, source: 'environment' };
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = path.join(cacheDir(), 'temporal');
  if (fs.existsSync(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

export async function buildTemporalCli(log: (line: string) => void = () => {}): Promise<LocatedCli | undefined> {
  if (!hasGo()) return undefined;
  const gobin = cacheDir();
  fs.mkdirSync(gobin, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from the Go module proxy into ${gobin} (a few minutes, once)...`);
  const target = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  const built = await goInstall([target], gobin, (p) => log(`  still building the Temporal CLI (${Math.round(p.elapsedMs / 1000)} s)...`), 30_000).catch(
    (err) => {
      if (!(err instanceof GoInstallFailed)) throw err;
      throw new Error(`go install ${target} failed (exit ${err.exitCode}): ${err.tail.slice(-5).join('\n')}`);
    },
  );
  log(`Built the Temporal CLI in ${Math.round(built.elapsedMs / 1000)} s`);
  return { path: path.join(gobin, 'temporal'), source: 'built' };
}

export async function locateTemporalCli(options: { build: boolean; log?: (line: string) => void }): Promise<LocatedCli | undefined> {
  return findTemporalCli() ?? (options.build ? buildTemporalCli(options.log) : undefined);
}
