import * as fs from 'node:fs';
import { connectClient } from '../../config/connection';
import { certificatesValid, createCertificates } from './certificates';
import { CLUSTER_SERVICES, ClusterLayout, ClusterService, clusterLayout, frontendAddress } from './layout';
import { ensureNamespace } from './namespace';
import { ensureTemporalRole, isPostgresRunning, startPostgres, stopPostgres } from './postgres';
import { loadProfile, writeProfile } from './profile';
import { applySchemas } from './schema';
import { elapsed, locateServerBinaries } from './server-build';
import { servicePid, startService, stopService } from './services';

/**
 * The production-like cluster as a whole: PostgreSQL, the schemas, the certificates, the four
 * Temporal services in their own processes, the namespace, and dbmove's profile. Start and
 * stop are idempotent: start brings up whatever is not running and checks the rest; stop
 * stops whatever runs. Nothing here is used by dbmove itself, which only reads the profile.
 */
export interface ClusterInfo {
  layout: ClusterLayout;
  /** dbmove's temporal.config.json for the cluster. */
  profileFile: string;
  address: string;
  namespace: string;
  /** True when this call started at least one part (the caller may then stop it again). */
  startedSomething: boolean;
}

type Log = (line: string) => void;

export async function startCluster(log: Log, layout = clusterLayout()): Promise<ClusterInfo> {
  const started = Date.now();
  const wasRunning = await isClusterRunning(layout);
  fs.mkdirSync(layout.root, { recursive: true });
  const binaries = await locateServerBinaries(log);
  await startPostgres(layout, log);
  const password = await ensureTemporalRole(layout);
  if (!wasRunning) await applySchemas(layout, binaries, password, log);
  if (!(await certificatesValid(layout))) {
    const holders = (['frontend', 'worker'] as const).filter((s) => servicePid(layout, s) !== undefined);
    if (holders.length)
      throw new Error(
        `The cluster's certificates are missing or expire within a week, but the ${holders.join(' and ')} service still runs with the old ones. Fix: npm run cluster:stop, then start again`,
      );
    await createCertificates(layout, log);
  }
  // History first: the first service to start writes the cluster's metadata, and two doing it
  // at once on a new database fail. Each waits for the previous one's port.
  for (const service of CLUSTER_SERVICES) await startService(layout, binaries, service, password, log);
  const profileFile = writeProfile(layout);
  const client = await connectClient(loadProfile(layout));
  try {
    await ensureNamespace(client, layout, log);
  } finally {
    await client.connection.close();
  }
  log(`Cluster ready in ${elapsed(started)}: frontend ${frontendAddress(layout)} (mutual TLS), namespace ${layout.namespace}`);
  return { layout, profileFile, address: frontendAddress(layout), namespace: layout.namespace, startedSomething: !wasRunning };
}

/** Every part running (the namespace may still be settling: startCluster checks that). */
export async function isClusterRunning(layout = clusterLayout()): Promise<boolean> {
  return (await isPostgresRunning(layout)) && CLUSTER_SERVICES.every((s) => servicePid(layout, s) !== undefined);
}

export async function stopCluster(log: Log, layout = clusterLayout()): Promise<void> {
  // The frontend first, so no new work comes in; history last of the services, so the others
  // can still reach it while they drain; PostgreSQL once nobody uses it.
  for (const service of ['frontend', 'worker', 'matching', 'history'] as const) {
    if (await stopService(layout, service)) log(`Stopped the ${service} service`);
  }
  if (await stopPostgres(layout)) log('Stopped PostgreSQL');
}

/** Starts one service again (after a test killed it), with the cluster's own settings. */
export async function startClusterService(service: ClusterService, log: Log, layout = clusterLayout()): Promise<number> {
  const binaries = await locateServerBinaries(log);
  const password = await ensureTemporalRole(layout);
  return startService(layout, binaries, service, password, log);
}
