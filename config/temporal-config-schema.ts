import { z } from 'zod';
import { TEMPORAL_CONFIG_DEFAULTS, TEMPORAL_CONFIG_RULES as R } from './temporal-config-rules';

/**
 * The schema of temporal.config.json (zod), from which schemas/temporal.config.schema.json is
 * generated. Its patterns and defaults are config/temporal-config-rules.ts's, which the loader
 * also uses on its fast path (a plain file read without loading zod).
 */
const tlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    serverName: z.string().optional(),
    serverRootCaCertPath: z.string().optional(),
    clientCertPath: z.string().optional(),
    clientKeyPath: z.string().optional(),
  }),
]);

export const temporalConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  address: z.string().regex(R.address.pattern, R.address.message).default(TEMPORAL_CONFIG_DEFAULTS.address),
  namespace: z.string().regex(R.namespace.pattern, R.namespace.message).default(TEMPORAL_CONFIG_DEFAULTS.namespace),
  taskQueue: z.string().regex(R.taskQueue.pattern, R.taskQueue.message).default(TEMPORAL_CONFIG_DEFAULTS.taskQueue),
  tls: tlsSchema.default(false),
  apiKeyEnv: z.string().regex(R.apiKeyEnv.pattern, R.apiKeyEnv.message).default(TEMPORAL_CONFIG_DEFAULTS.apiKeyEnv),
  devServer: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(TEMPORAL_CONFIG_DEFAULTS.devServer.port),
      uiPort: z.number().int().min(1).max(65535).default(TEMPORAL_CONFIG_DEFAULTS.devServer.uiPort),
      dbFile: z.string().default(TEMPORAL_CONFIG_DEFAULTS.devServer.dbFile),
    })
    .default({ ...TEMPORAL_CONFIG_DEFAULTS.devServer }),
  webUiUrl: z.string().url().optional(),
});

export type TemporalFileConfig = z.infer<typeof temporalConfigSchema>;
