import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, configErrorFromIssues } from './config-error';
import { resolveTls } from './temporal-tls';

/**
 * How dbmove reaches Temporal. The file holds the shape of the deployment; the usual
 * TEMPORAL_* environment variables override it, so the same checkout talks to a laptop dev
 * server, a staging cluster or Temporal Cloud without edits. An API key is only ever read
 * from the environment.
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
  address: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port, for example localhost:7233')
    .default('localhost:7233'),
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be a Temporal namespace name')
    .default('default'),
  taskQueue: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be a task queue name')
    .default('dbmove'),
  tls: tlsSchema.default(false),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable')
    .default('TEMPORAL_API_KEY'),
  devServer: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(7233),
      uiPort: z.number().int().min(1).max(65535).default(8233),
      dbFile: z.string().default('state/temporal/dev-server.sqlite'),
    })
    .default({ port: 7233, uiPort: 8233, dbFile: 'state/temporal/dev-server.sqlite' }),
  webUiUrl: z.string().url().optional(),
});

export type TemporalFileConfig = z.infer<typeof temporalConfigSchema>;

export interface TemporalConfig {
  readonly file: string | undefined;
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly tls: TemporalFileConfig['tls'];
  /** Resolved from the environment at connect time, never stored in a file or in history. */
  readonly apiKey: string | undefined;
  readonly devServer: TemporalFileConfig['devServer'];
  readonly webUiUrl: string;
}

export function loadTemporalConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  let raw: unknown = {};
  let resolved: string | undefined;
  if (file) {
    resolved = path.resolve(file);
    if (fs.existsSync(resolved)) {
      try {
        raw = JSON.parse(fs.readFileSync(resolved, 'utf8'));
      } catch (err) {
        throw new ConfigError(resolved, '', `is not valid JSON (${(err as Error).message})`, 'fix the JSON syntax');
      }
    }
  }
  const parsed = temporalConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw configErrorFromIssues(resolved ?? 'temporal.config.json', parsed.error.issues, (key) =>
      key === 'apiKey'
        ? 'an API key is a secret: set it in the TEMPORAL_API_KEY environment variable (or the variable named by apiKeyEnv)'
        : 'correct the value; schemas/temporal.config.schema.json lists every key',
    );
  }
  const cfg = parsed.data;
  const overrides = {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
  };
  const check = temporalConfigSchema.pick({ address: true, namespace: true, taskQueue: true }).safeParse({
    address: overrides.address ?? cfg.address,
    namespace: overrides.namespace ?? cfg.namespace,
    taskQueue: overrides.taskQueue ?? cfg.taskQueue,
  });
  if (!check.success) {
    const issue = check.error.issues[0];
    const key = String(issue.path[0]);
    const variable = { address: 'TEMPORAL_ADDRESS', namespace: 'TEMPORAL_NAMESPACE', taskQueue: 'TEMPORAL_TASK_QUEUE' }[key];
    throw new ConfigError(`environment variable ${variable}`, key, issue.message, `correct or unset ${variable}`);
  }
  const tls = resolveTls(cfg.tls, resolved, env);
  const apiKey = env[cfg.apiKeyEnv] || undefined;
  const [host] = check.data.address.split(':');
  return {
    file: resolved,
    ...check.data,
    tls: apiKey && tls === false ? true : tls,
    apiKey,
    devServer: cfg.devServer,
    webUiUrl: (env.TEMPORAL_UI_URL ?? cfg.webUiUrl ?? `http://${host === '127.0.0.1' ? 'localhost' : host}:${cfg.devServer.uiPort}`).replace(/\/$/, ''),
  };
}
