import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';
import type { TestEstate } from './estate';

/**
 * A real `dbmove worker` in a child process, so that a fault can kill it with SIGKILL (as
 * DBMOVE_FAULTS=...=crash-once does) without taking the test run with it. It finds its
 * catalog and state through DBMOVE_HOME and its Temporal server and task queue through the
 * TEMPORAL_* variables, exactly as a worker on a server would.
 */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stop(): Promise<void>;
}

export function spawnWorker(estate: TestEstate, temporal: { address: string; taskQueue: string }, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [path.join(packageRoot(), 'dist', 'cli', 'cli.js'), 'worker'], {
    cwd: estate.home,
    env: {
      ...process.env,
      DBMOVE_HOME: estate.home,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: temporal.taskQueue,
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
  return {
    child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
