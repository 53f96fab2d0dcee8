import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, LogEntry, Runtime, Worker } from '@temporalio/worker';
import { FaultPlan } from '../activities/faults';
import { connectWorker } from '../config/connection';
import { DbmoveHome } from '../config/home';
import { TemporalConfig } from '../config/temporal-config';
import { createDbmoveWorker } from './create-worker';
import { telemetryOptions, tracingWorkerOptions } from './telemetry';

/**
 * Installs the Temporal runtime's logger once per process: to standard error for a
 * foreground worker, or to a file when the worker shares the terminal with a progress
 * display (npm start).
 */
export function installRuntimeLogging(logFile?: string, options: { handleSignals?: boolean } = {}): void {
  const shutdownSignals = options.handleSignals === false ? [] : undefined;
  if (logFile) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.createWriteStream(logFile, { flags: 'a' });
    const write = (entry: LogEntry) =>
      out.write(
        `${JSON.stringify({ at: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(), level: entry.level, message: entry.message, ...entry.meta })}\n`,
      );
    Runtime.install({ logger: new DefaultLogger('INFO', write), telemetryOptions: telemetryOptions(), ...(shutdownSignals ? { shutdownSignals } : {}) });
  } else {
    Runtime.install({
      logger: new DefaultLogger((process.env.DBMOVE_LOG_LEVEL as 'INFO') ?? 'INFO'),
      telemetryOptions: telemetryOptions(),
      ...(shutdownSignals ? { shutdownSignals } : {}),
    });
  }
}

/** The fault plan DBMOVE_FAULTS asks for (checked before the runtime starts, so a bad one exits 2 cleanly). */
export function faultsOf(env: NodeJS.ProcessEnv, home: DbmoveHome): FaultPlan {
  return FaultPlan.fromEnvironment(env, home.stateDir);
}

export async function startWorker(home: DbmoveHome, config: TemporalConfig): Promise<Worker> {
  const connection = await connectWorker(config);
  return createDbmoveWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    catalogFile: home.catalogFile,
    stateDir: home.stateDir,
    workerOptions: tracingWorkerOptions(),
  });
}
