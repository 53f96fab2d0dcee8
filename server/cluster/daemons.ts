import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * Long-running processes that outlive the script starting them, tracked by pid files. A pid
 * file alone can point at an unrelated process once the pid is reused, so a pid counts only
 * while /proc/<pid>/cmdline still holds the command line we started: stop never signals a
 * process it did not start.
 */
export interface DaemonSpec {
  pidFile: string;
  logFile: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The pid in `pidFile` if that process runs and its command line contains `identity`. */
export function runningPid(pidFile: string, identity: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return cmdline.includes(identity) ? pid : undefined;
  } catch {
    return undefined; // no such process
  }
}

/** Starts the process in its own session (Ctrl-C in the starting terminal does not reach it), output appended to its log. */
export function startDaemon(spec: DaemonSpec): number {
  fs.mkdirSync(path.dirname(spec.pidFile), { recursive: true });
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const out = fs.openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`Could not start ${spec.command}: see ${spec.logFile}`);
  child.unref();
  fs.writeFileSync(spec.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`. Resolves once the process is gone; false if it was not running. */
export async function stopDaemon(pidFile: string, identity: string, options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<boolean> {
  const pid = runningPid(pidFile, identity);
  if (pid === undefined) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, options.signal ?? 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 20_000);
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 10_000);
      break;
    }
    await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
  return true;
}

export function isAlive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped by its parent) still answers signal 0; /proc says what it is.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (!/^\d+ \(.*\) Z/.test(stat)) return true;
    // In a multi-threaded process (every Go server) the main thread can be a zombie while the
    // other threads are still exiting, holding the process's sockets: alive until they are gone.
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
}

export function isListening(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until `port` accepts connections; fails early, with the log's last lines, if the process dies. */
export async function waitForPort(what: string, port: number, pid: number, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`${what} exited during start-up. The end of ${logFile}:\n${logTail(logFile)}`);
    if (await isListening(port)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs / 1000} s. The end of ${logFile}:\n${logTail(logFile)}`);
}

/** The last lines of a log, for error messages: the cause is usually there. */
export function logTail(file: string, lines = 8): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `  ${l.slice(0, 600)}`)
      .join('\n');
  } catch {
    return '  (no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
