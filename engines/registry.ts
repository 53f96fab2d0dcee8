import type { EnvironmentConfig } from '../config/catalog';
import type { DatabaseEngine } from './port';
import { LocalEngine } from './local/local-engine';

/**
 * Picks the engine an environment names in the catalog. One instance per engine kind; the
 * cloud engines are created on first use so that a laptop never loads their SDKs.
 */
export interface EngineRegistryOptions {
  defaultRetention?: string;
  /** Extra engines (Azure SQL, SQL Server) registered by the worker or by tests. */
  factories?: Partial<Record<EnvironmentConfig['engine'], () => DatabaseEngine>>;
}

/**
 * The cloud engines as default factories. Each requires its module inside the factory, so the
 * Azure SDK and the SQL Server driver load only when a catalog names such an environment.
 * Their secrets (SQL passwords, tokens, storage keys) come from the worker's environment
 * variables, named in the catalog.
 */
const DEFAULT_FACTORIES: Partial<Record<EnvironmentConfig['engine'], () => DatabaseEngine>> = {
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

export function createEngineRegistry(options: EngineRegistryOptions = {}): (env: EnvironmentConfig) => DatabaseEngine {
  const instances = new Map<string, DatabaseEngine>();
  return (env) => {
    let engine = instances.get(env.engine);
    if (!engine) {
      const factory =
        options.factories?.[env.engine] ??
        (env.engine === 'local' ? () => new LocalEngine({ defaultRetention: options.defaultRetention }) : DEFAULT_FACTORIES[env.engine]);
      if (!factory) {
        throw Object.assign(new Error(`No ${env.engine} engine is available to this worker (environment ${env.name})`), { name: 'UnsupportedByEngine' });
      }
      engine = factory();
      instances.set(env.engine, engine);
    }
    return engine;
  };
}
