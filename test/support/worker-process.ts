import { ChildProcess, spawn } from 'node:child_process';
import { CLI_ENTRY } from './cli';
import type { TestEstate } from './estate';

/**
 * A real `dbmove worker` in a child process: the one way the tests run a worker process. A
 * fault can kill it with SIGKILL (as DBMOVE_FAULTS=...=crash-once does) without taking the
 * test run with it, and its environment can hold what only a process can (telemetry
 * variables, known secret values). It finds its catalog and state through DBMOVE_HOME, and its
 * Temporal server and task queue through the TEMPORAL_* variables when `temporal` is given, or
 * else through the estate's temporal.config.json, exactly as a worker on a server would.
 */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed, standard output and error together. */
  output(): string;
  /** Resolves once it polls its task queue; rejects if it exits first or takes 30 s. */
  ready(): Promise<void>;
  /** SIGTERM (or `signal`), then SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(estate: TestEstate, temporal?: { address: string; taskQueue: string }, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [CLI_ENTRY, 'worker'], {
    cwd: estate.home,
    env: {
      ...process.env,
      DBMOVE_HOME: estate.home,
      ...(temporal ? { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: temporal.taskQueue } : {}),
      DBMOVE_LOG_LEVEL: 'WARN',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    exited,
    output: () => output,
    ready: () =>
      new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (/polling task queue/.test(output)) done(resolve);
          else if (!running()) done(() => reject(new Error(`the worker exited with ${child.exitCode ?? child.signalCode}: ${output}`)));
        }, 50);
        const timer = setTimeout(() => done(() => reject(new Error(`the worker did not start within 30 s: ${output}`))), 30_000);
        const done = (settle: () => void) => {
          clearInterval(check);
          clearTimeout(timer);
          settle();
        };
      }),
    stop: async (signal = 'SIGTERM') => {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
