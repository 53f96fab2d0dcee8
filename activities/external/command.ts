import { spawn } from 'node:child_process';

/**
 * Runs a program the catalog names (a version source, an application service's stop or
 * start, the platform's database synchronisation): no shell, so nothing in an argument is
 * ever interpreted; the catalog's folder as the working directory, so relative paths in the
 * catalog mean the same thing wherever the worker runs; the worker's environment plus
 * dbmove's own DBMOVE_* variables; a time limit, after which the whole process group is
 * stopped; and every line it prints handed to `onLine` as it comes (heartbeats, progress).
 */
export interface CommandOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Standard output kept whole, up to this many bytes (JSON answers); the rest is dropped. */
  maxStdoutBytes?: number;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  /** The last lines of standard output and error together, for an error message. */
  tail: string[];
  durationMs: number;
}

const TAIL_LINES = 40;

export function describeCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

export function runCommand(argv: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        // Its own process group, so a time limit or a cancellation stops what it started too.
        detached: process.platform !== 'win32',
      });
    } catch (err) {
      reject(err);
      return;
    }
    const maxStdout = options.maxStdoutBytes ?? 1024 * 1024;
    let stdout = '';
    const tail: string[] = [];
    let timedOut = false;
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err', chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (which === 'out' && stdout.length < maxStdout) stdout += text.slice(0, maxStdout - stdout.length);
      const lines = (partial[which] + text).split(/\r?\n/);
      partial[which] = lines.pop() ?? '';
      for (const line of lines) emit(line);
    };
    const emit = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (line.trim()) options.onLine?.(line);
    };
    child.stdout!.on('data', (c: Buffer) => take('out', c));
    child.stderr!.on('data', (c: Buffer) => take('err', c));
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch {
        /* already gone */
      }
      setTimeout(() => {
        try {
          if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const rest of [partial.out, partial.err]) if (rest) emit(rest);
      resolve({ exitCode, signal, timedOut, stdout, tail, durationMs: performance.now() - started });
    });
  });
}

/** One line saying how a run ended, for messages: "exited with 3", "timed out after 30 s", ... */
export function howItEnded(result: CommandResult, timeoutMs: number): string {
  if (result.timedOut) return `did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`;
  if (result.signal) return `was ended by ${result.signal}`;
  return `exited with ${result.exitCode}`;
}
