import { goInstall, GoInstallFailed, hasGo } from '../go-install';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';

/**
 * Temporal Server itself (not the dev server in the CLI), built from the Go module proxy into
 * the git-ignored .cache/, once, as the Temporal CLI is (server/temporal-cli.ts). v1.29.1's
 * go.mod has no replace directive, so `go install module@version` works, and its PostgreSQL
 * schemas are embedded in the schema tool, so nothing else has to be downloaded.
 */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** `go install` names binaries after their package folders: cmd/server and cmd/tools/sql. */
const PACKAGES = { server: 'cmd/server', sqlTool: 'cmd/tools/sql' } as const;

export interface ServerBinaries {
  /** `server start --service <name>`: one Temporal service per process. */
  server: string;
  /** temporal-sql-tool: creates the databases and applies the schema versions. */
  sqlTool: string;
}

export function serverBinDir(): string {
  // The version is in the path, so changing the pin builds the new version beside the old one.
  return path.join(packageRoot(), '.cache', 'temporal-server', TEMPORAL_SERVER_VERSION, 'bin');
}

function expected(): ServerBinaries {
  return { server: path.join(serverBinDir(), 'server'), sqlTool: path.join(serverBinDir(), 'sql') };
}

export function findServerBinaries(): ServerBinaries | undefined {
  const binaries = expected();
  return Object.values(binaries).every((file) => fs.existsSync(file)) ? binaries : undefined;
}

export class ServerBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerBuildError';
  }
}

export async function buildServerBinaries(log: (line: string) => void): Promise<ServerBinaries> {
  if (!hasGo()) {
    throw new ServerBuildError(
      `No Go toolchain: Temporal Server ${TEMPORAL_SERVER_VERSION} is built from the Go module proxy. Install Go from https://go.dev/dl/ (v1.29.1 needs Go 1.25; an older go fetches 1.25 through the proxy unless GOTOOLCHAIN=local), then run this again`,
    );
  }
  const gobin = serverBinDir();
  fs.mkdirSync(gobin, { recursive: true });
  const targets = Object.values(PACKAGES).map((pkg) => `${TEMPORAL_SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`);
  log(`Building Temporal Server ${TEMPORAL_SERVER_VERSION} (server and temporal-sql-tool) from the Go module proxy into ${gobin}`);
  log('  once per machine: 4 minutes on 2 cores with empty Go caches, seconds when they are warm');
  const started = Date.now();
  // -v names each package as it is compiled: the count is the progress shown.
  const { downloaded, compiled } = await goInstall(
    targets,
    gobin,
    (p) => log(`  still building: ${p.downloaded} modules downloaded, ${p.compiled} packages compiled (${elapsed(started)})`),
    20_000,
  ).catch((err) => {
    if (!(err instanceof GoInstallFailed)) throw err;
    throw new ServerBuildError(
      `go install ${targets.join(' ')} failed (exit ${err.exitCode}). Its last lines:\n${err.tail.slice(-8).join('\n')}\n` +
        'Fix: check that the Go module proxy is reachable (GOPROXY) and that Go is 1.25 or later (or GOTOOLCHAIN allows fetching it), then run this again',
    );
  });
  const binaries = findServerBinaries();
  if (!binaries)
    throw new ServerBuildError(`go install succeeded but ${Object.values(expected()).join(' and ')} are missing; delete ${gobin} and run this again`);
  log(`Built Temporal Server ${TEMPORAL_SERVER_VERSION} in ${elapsed(started)} (${downloaded} modules downloaded, ${compiled} packages compiled)`);
  return binaries;
}

export async function locateServerBinaries(log: (line: string) => void): Promise<ServerBinaries> {
  return findServerBinaries() ?? buildServerBinaries(log);
}

export function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
