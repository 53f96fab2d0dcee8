import type { EnvironmentConfig } from '../../config/catalog';
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

export function createEngineRegistry(options: EngineRegistryOptions = {}): (env: EnvironmentConfig) => DatabaseEngine {
  const instances = new Map<string, DatabaseEngine>();
  return (env) => {
    let engine = instances.get(env.engine);
    if (!engine) {
      const factory = options.factories?.[env.engine] ?? (env.engine === 'local' ? () => new LocalEngine({ defaultRetention: options.defaultRetention }) : undefined);
      if (!factory) {
        throw Object.assign(new Error(`No ${env.engine} engine is available to this worker (environment ${env.name})`), { name: 'UnsupportedByEngine' });
      }
      engine = factory();
      instances.set(env.engine, engine);
    }
    return engine;
  };
}
