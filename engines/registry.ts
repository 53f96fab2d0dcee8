import { UnsupportedByEngine } from '../common/errors';
import type { EngineKind, EnvironmentConfig } from '../config/catalog';
import { LocalEngine } from './local/local-engine';
import type { DatabaseEngine } from './port';

/**
 * Picks the engine an environment names in the catalog. One instance per engine kind; the
 * cloud engines are created on first use so that a laptop never loads their SDKs. An engine
 * only ever receives environments of its own kind, which is what lets each engine take its
 * own configuration type.
 */
export type EngineFor<K extends EngineKind> = DatabaseEngine<Extract<EnvironmentConfig, { engine: K }>>;
export type EngineFactories = { [K in EngineKind]?: () => EngineFor<K> };
export type EngineRegistry = (env: EnvironmentConfig) => DatabaseEngine;

export interface EngineRegistryOptions {
  defaultRetention?: string;
  /** Engines registered by the worker or by tests in place of the defaults (a mocked Azure, say). */
  factories?: EngineFactories;
}

/**
 * The cloud engines as default factories. Each requires its module inside the factory, so the
 * Azure SDK and the SQL Server driver load only when a catalog names such an environment.
 * Their secrets (SQL passwords, tokens, storage keys) come from the worker's environment
 * variables, named in the catalog.
 */
const DEFAULT_FACTORIES: EngineFactories = {
  'azure-sql': () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AzureSqlEngine } = require('./azure-sql/azure-sql-engine') as typeof import('./azure-sql/azure-sql-engine');
    return new AzureSqlEngine();
  },
  sqlserver: () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SqlServerEngine } = require('./sqlserver/sqlserver-engine') as typeof import('./sqlserver/sqlserver-engine');
    return new SqlServerEngine();
  },
};

export function createEngineRegistry(options: EngineRegistryOptions = {}): EngineRegistry {
  const factories: EngineFactories = {
    local: () => new LocalEngine({ defaultRetention: options.defaultRetention }),
    ...DEFAULT_FACTORIES,
    ...options.factories,
  };
  const instances = new Map<EngineKind, DatabaseEngine>();
  return (env) => {
    let engine = instances.get(env.engine);
    if (!engine) {
      const factory = factories[env.engine] as (() => DatabaseEngine) | undefined;
      if (!factory)
        throw new UnsupportedByEngine(
          env.engine,
          `serve ${env.name}: no ${env.engine} engine is available to this worker`,
          'Register it in the worker (createEngineRegistry factories).',
        );
      engine = factory();
      instances.set(env.engine, engine);
    }
    return engine;
  };
}
