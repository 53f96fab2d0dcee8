import * as path from 'node:path';
import { loadCatalog, LoadedCatalog } from './catalog';
import { loadTemporalConfig, TemporalConfig } from './temporal-config';

/**
 * Where dbmove finds its files. Everything is relative to one home directory (the current
 * directory unless DBMOVE_HOME says otherwise), so a checkout is self-contained and tests
 * can run many isolated homes side by side.
 */
export interface DbmoveHome {
  readonly root: string;
  readonly temporalConfigFile: string;
  readonly catalogFile: string;
  readonly stateDir: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DbmoveHome {
  const root = path.resolve(env.DBMOVE_HOME ?? cwd);
  return {
    root,
    temporalConfigFile: path.resolve(root, env.DBMOVE_TEMPORAL_CONFIG ?? 'temporal.config.json'),
    catalogFile: path.resolve(root, env.DBMOVE_CATALOG ?? 'environments.json'),
    stateDir: path.resolve(root, env.DBMOVE_STATE_DIR ?? 'state'),
  };
}

export function homeTemporalConfig(home: DbmoveHome, env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  return loadTemporalConfig(home.temporalConfigFile, env);
}

export function homeCatalog(home: DbmoveHome): LoadedCatalog {
  return loadCatalog(home.catalogFile);
}
