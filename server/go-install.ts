import { spawn, spawnSync } from 'node:child_process';

/** What `go install -v` has done so far: modules fetched from the proxy, packages compiled. */
export interface GoInstallProgress {
  downloaded: number;
  compiled: number;
  elapsedMs: number;
}

/** `go install` exited non-zero: its exit code and the last lines it wrote. */
export class GoInstallFailed extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly tail: string[],
  ) {
    super(`go install failed (exit ${exitCode})`);
    this.name = 'GoInstallFailed';
  }
}

export function hasGo(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Builds `targets` (module@version paths) from the Go module proxy into `gobin`, the way the
 * Temporal CLI and Temporal Server are built for this project: VCS stamping off (module-proxy
 * sources have no repository), `-v` so each compiled package counts as progress, reported every
 * `tickMs`. Resolves with the final counts; rejects with GoInstallFailed.
 */
export function goInstall(targets: string[], gobin: string, onTick: (progress: GoInstallProgress) => void, tickMs: number): Promise<GoInstallProgress> {
  const started = Date.now();
  const progress = () => ({ downloaded, compiled, elapsedMs: Date.now() - started });
  let downloaded = 0;
  let compiled = 0;
  let tail: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', '-v', ...targets], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('go: downloading ')) downloaded++;
        else if (line.trim()) compiled++;
        tail = [...tail.slice(-19), line];
      }
    });
    const ticker = setInterval(() => onTick(progress()), tickMs);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve(progress());
      else
        reject(
          new GoInstallFailed(
            code,
            [...tail, pending].filter((line) => line.trim()),
          ),
        );
    });
  });
}
