/**
 * The patterns and defaults of temporal.config.json, with no imports: the zod schema
 * (temporal-config-schema.ts) is built from them, and the loader's fast path checks a plain
 * file with the same ones, so that `dbmove status` need not load zod.
 */
export const TEMPORAL_CONFIG_RULES = {
  address: { pattern: /^[A-Za-z0-9.-]+:\d{1,5}$/, message: 'must be host:port, for example localhost:7233' },
  namespace: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, message: 'must be a Temporal namespace name' },
  taskQueue: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, message: 'must be a task queue name' },
  apiKeyEnv: { pattern: /^[A-Z_][A-Z0-9_]*$/, message: 'must be the NAME of an environment variable' },
} as const;

export const TEMPORAL_CONFIG_DEFAULTS = {
  address: 'localhost:7233',
  namespace: 'default',
  taskQueue: 'dbmove',
  apiKeyEnv: 'TEMPORAL_API_KEY',
  devServer: { port: 7233, uiPort: 8233, dbFile: 'state/temporal/dev-server.sqlite' },
} as const;
