import * as fs from 'node:fs';
import * as path from 'node:path';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createEngineRegistry, EngineRegistryOptions } from '../engines/registry';
import { FaultPlan } from '../activities/faults';
import { loadCatalog } from '../config/catalog';
import { ensureSearchAttributes } from '../server/search-attributes';
import { notificationSinks } from '../activities/notifications/webhooks';
import { dataConverterFromEnvironment } from '../codec/aes-gcm-codec';

export interface DbmoveWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  catalogFile: string;
  stateDir: string;
  /** Where secrets and the fault plan are read from (the process environment by default). */
  env?: NodeJS.ProcessEnv;
  engines?: EngineRegistryOptions['factories'];
  /** Extra Worker options (interceptors, concurrency, a prebuilt bundle...). */
  workerOptions?: Partial<WorkerOptions>;
}

/** The prebuilt workflow bundle (npm run build) when present, else bundling at start-up. */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = path.join(__dirname, '..', 'workflow-bundle.js');
  if (fs.existsSync(bundle) && !process.env.DBMOVE_BUNDLE_AT_START) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: require.resolve('../workflows') };
}

export async function createDbmoveWorker(options: DbmoveWorkerOptions): Promise<Worker> {
  const env = options.env ?? process.env;
  const catalog = () => loadCatalog(options.catalogFile);
  // Fail fast on a broken catalog or fault plan, before polling for work.
  const loaded = catalog();
  const faults = FaultPlan.fromEnvironment(env, options.stateDir);
  // The payload codec, when DBMOVE_CODEC_KEY is set (a bad key fails here, before polling).
  const dataConverter = dataConverterFromEnvironment(env);
  await ensureSearchAttributes(options.connection.operatorService, options.namespace);
  const activities = createActivities({
    catalog,
    engineFor: createEngineRegistry({ defaultRetention: loaded.defaults.restorePointRetention, factories: options.engines }),
    faults,
    secret: (name) => env[name],
    stateDir: options.stateDir,
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource(),
    activities,
    ...(dataConverter ? { dataConverter } : {}),
    sinks: notificationSinks({ catalog, secret: (name) => env[name] }),
    // The SDK sends at most one heartbeat per throttle interval, by default 80% of the
    // heartbeat timeout capped at 60 s: progress would reach the server (and `dbmove status`,
    // the progress bar, the Web UI's pending activities) once a minute. About once a second
    // is what a person watching needs; heartbeats add no history events.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    ...options.workerOptions,
  });
}
