import * as path from 'node:path';
import { isListening, runningPid, startDaemon, stopDaemon, waitForPort } from './daemons';
import { ClusterLayout, ClusterService, servicePort } from './layout';
import type { ServerBinaries } from './server-build';

/**
 * One Temporal service per process, as a cluster runs them: the same binary and the same
 * configuration (server/cluster/config/production.yaml), started with `--service <name>`.
 * They find each other through the membership table in PostgreSQL.
 */
function args(layout: ClusterLayout, service: ClusterService): string[] {
  // No authorizer on purpose: mutual TLS on the frontend is the authentication here
  // (docs/deployment.md says what a multi-team cluster adds).
  return ['--root', '/', '--config', layout.configDir, '--env', 'production', '--allow-no-auth', 'start', '--service', service];
}

/** What makes a process ours: this checkout's configuration folder and the service's name. */
function identity(layout: ClusterLayout, service: ClusterService): string {
  return args(layout, service).slice(2).join(' ');
}

export function pidFile(layout: ClusterLayout, service: ClusterService): string {
  return path.join(layout.runDir, `${service}.pid`);
}

export function logFile(layout: ClusterLayout, service: ClusterService): string {
  return path.join(layout.logsDir, `${service}.log`);
}

export function servicePid(layout: ClusterLayout, service: ClusterService): number | undefined {
  return runningPid(pidFile(layout, service), identity(layout, service));
}

/** The variables production.yaml is rendered with (the password only ever travels this way). */
export function serverEnvironment(layout: ClusterLayout, sqlPassword: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DBMOVE_CLUSTER_PORT_BASE: String(layout.portBase),
    DBMOVE_CLUSTER_PG_PORT: String(layout.postgresPort),
    DBMOVE_CLUSTER_SQL_PASSWORD: sqlPassword,
    DBMOVE_CLUSTER_CERTS: layout.certsDir,
    DBMOVE_CLUSTER_FRONTEND_NAME: layout.frontendName,
    DBMOVE_CLUSTER_CONFIG_DIR: layout.configDir,
  };
}

/** Starts the service unless it runs; resolves once its gRPC port accepts connections. */
export async function startService(
  layout: ClusterLayout,
  binaries: ServerBinaries,
  service: ClusterService,
  sqlPassword: string,
  log: (line: string) => void,
): Promise<number> {
  const running = servicePid(layout, service);
  if (running !== undefined) return running;
  const port = servicePort(layout, service);
  for (const p of [port, port + 10]) {
    if (await isListening(p)) {
      throw new Error(
        `Port ${p}, which the ${service} service needs, is already taken by another process. Fix: stop that process, or move the whole cluster with DBMOVE_CLUSTER_PORT_BASE (now ${layout.portBase})`,
      );
    }
  }
  log(`Starting the ${service} service on 127.0.0.1:${port} (log ${logFile(layout, service)})`);
  const pid = startDaemon({
    pidFile: pidFile(layout, service),
    logFile: logFile(layout, service),
    command: binaries.server,
    args: args(layout, service),
    env: serverEnvironment(layout, sqlPassword),
    cwd: layout.root,
  });
  // The worker service serves no gRPC (it is a client of the frontend): its gossip port says it is up.
  const ready = service === 'worker' ? port + 10 : port;
  await waitForPort(`The Temporal ${service} service`, ready, pid, logFile(layout, service), 90_000);
  return pid;
}

/** SIGTERM lets the service hand its shards or task queues over; `signal: 'SIGKILL'` is a crash. */
export async function stopService(layout: ClusterLayout, service: ClusterService, options: { signal?: NodeJS.Signals } = {}): Promise<boolean> {
  return stopDaemon(pidFile(layout, service), identity(layout, service), { signal: options.signal, graceMs: 30_000 });
}
