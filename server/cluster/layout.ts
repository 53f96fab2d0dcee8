import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';

/**
 * Where the production-like cluster keeps its state and which ports it uses. Everything lives
 * under one git-ignored folder (state/cluster, or DBMOVE_CLUSTER_STATE), so stopping it and
 * deleting the folder leaves nothing behind, and certificates and the database password never
 * get near a commit.
 *
 * Ports come from one base (DBMOVE_CLUSTER_PORT_BASE, default 17233), away from the dev
 * server's 7233 so both can run on one machine. Use the same base for start, stop and the suite.
 */
export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

/** Offsets from the base, as in server/cluster/config/production.yaml. */
const SERVICE_OFFSET: Record<ClusterService, number> = { frontend: 0, history: 1, matching: 2, worker: 3 };
const POSTGRES_OFFSET = 20;

export const DEFAULT_PORT_BASE = 17233;

export interface ClusterLayout {
  root: string;
  /** The committed server configuration (production.yaml, dynamicconfig.yaml). */
  configDir: string;
  portBase: number;
  postgresPort: number;
  /** The name in the frontend's certificate; clients verify it (tls.serverName). */
  frontendName: string;
  namespace: string;
  /** How long Temporal keeps a closed operation's history. */
  retentionDays: number;
  postgresDir: string;
  postgresData: string;
  /** The PostgreSQL socket folder: only the instance's owner (and root) can reach it. */
  postgresSocketDir: string;
  postgresLog: string;
  certsDir: string;
  logsDir: string;
  runDir: string;
  /** The `temporal` database role's password, generated once, mode 0600. */
  sqlPasswordFile: string;
  /** dbmove's connection profile for this cluster, an ordinary temporal.config.json. */
  profileFile: string;
}

export function clusterLayout(env: NodeJS.ProcessEnv = process.env): ClusterLayout {
  const root = path.resolve(env.DBMOVE_CLUSTER_STATE ?? path.join(packageRoot(), 'state', 'cluster'));
  const portBase = parsePortBase(env.DBMOVE_CLUSTER_PORT_BASE);
  const postgresDir = path.join(root, 'postgres');
  return {
    root,
    configDir: path.join(packageRoot(), 'server', 'cluster', 'config'),
    portBase,
    postgresPort: portBase + POSTGRES_OFFSET,
    frontendName: 'frontend.cluster.dbmove.test',
    namespace: 'dbmove',
    retentionDays: 7,
    postgresDir,
    postgresData: path.join(postgresDir, 'data'),
    postgresSocketDir: path.join(postgresDir, 'socket'),
    postgresLog: path.join(postgresDir, 'postgres.log'),
    certsDir: path.join(root, 'certs'),
    logsDir: path.join(root, 'logs'),
    runDir: path.join(root, 'run'),
    sqlPasswordFile: path.join(root, 'secrets', 'sql-password'),
    profileFile: path.join(root, 'temporal.config.json'),
  };
}

export function servicePort(layout: ClusterLayout, service: ClusterService): number {
  return layout.portBase + SERVICE_OFFSET[service];
}

export function frontendAddress(layout: ClusterLayout): string {
  return `127.0.0.1:${servicePort(layout, 'frontend')}`;
}

function parsePortBase(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_PORT_BASE;
  const base = Number(text);
  if (!Number.isInteger(base) || base < 1024 || base > 65535 - POSTGRES_OFFSET) {
    throw new Error(
      `DBMOVE_CLUSTER_PORT_BASE="${text}" is not a usable port base: set it to a whole number between 1024 and ${65535 - POSTGRES_OFFSET} (ports base to base+${POSTGRES_OFFSET} are used), or unset it for ${DEFAULT_PORT_BASE}`,
    );
  }
  return base;
}
