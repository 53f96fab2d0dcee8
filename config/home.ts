import * as path from 'node:path';
import type { LoadedCatalog } from './catalog';
import type { TemporalConfig } from './temporal-config';

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
  // Required here, not at the top: resolving a home must not load the schemas (zod) for commands that never read them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./temporal-config') as typeof import('./temporal-config')).loadTemporalConfig(home.temporalConfigFile, env);
}

export function homeCatalog(home: DbmoveHome): LoadedCatalog {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./catalog') as typeof import('./catalog')).loadCatalog(home.catalogFile);
}
