import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, configErrorFromIssues } from './config-error';
import type { TemporalFileConfig } from './temporal-config-schema';
import { TEMPORAL_CONFIG_DEFAULTS, TEMPORAL_CONFIG_RULES } from './temporal-config-rules';
import { resolveTls } from './temporal-tls';

export type { TemporalFileConfig } from './temporal-config-schema';

/**
 * How dbmove reaches Temporal. The file holds the shape of the deployment; the usual
 * TEMPORAL_* environment variables override it, so the same checkout talks to a laptop dev
 * server, a staging cluster or Temporal Cloud without edits. An API key is only ever read
 * from the environment.
 */

/**
 * A file of plain keys (address, namespace, taskQueue, apiKeyEnv, tls: true|false) that pass
 * the rules is read without loading zod; anything else goes through the full schema, which
 * also writes the error when there is one.
 */
function quickParse(raw: unknown): TemporalFileConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const plain = ['$schema', 'address', 'namespace', 'taskQueue', 'apiKeyEnv', 'tls'];
  const entries = Object.entries(raw);
  if (!entries.every(([k]) => plain.includes(k))) return undefined;
  const record = raw as Record<string, unknown>;
  for (const key of ['address', 'namespace', 'taskQueue', 'apiKeyEnv'] as const) {
    const value = record[key];
    if (value !== undefined && (typeof value !== 'string' || !TEMPORAL_CONFIG_RULES[key].pattern.test(value))) return undefined;
  }
  if (record.tls !== undefined && typeof record.tls !== 'boolean') return undefined;
  if (record.$schema !== undefined && typeof record.$schema !== 'string') return undefined;
  return {
    ...(record.$schema !== undefined ? { $schema: record.$schema as string } : {}),
    address: (record.address as string | undefined) ?? TEMPORAL_CONFIG_DEFAULTS.address,
    namespace: (record.namespace as string | undefined) ?? TEMPORAL_CONFIG_DEFAULTS.namespace,
    taskQueue: (record.taskQueue as string | undefined) ?? TEMPORAL_CONFIG_DEFAULTS.taskQueue,
    apiKeyEnv: (record.apiKeyEnv as string | undefined) ?? TEMPORAL_CONFIG_DEFAULTS.apiKeyEnv,
    tls: (record.tls as boolean | undefined) ?? false,
    devServer: { ...TEMPORAL_CONFIG_DEFAULTS.devServer },
  };
}

function fullParse(raw: unknown, file: string): TemporalFileConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { temporalConfigSchema } = require('./temporal-config-schema') as typeof import('./temporal-config-schema');
  const parsed = temporalConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw configErrorFromIssues(file, parsed.error.issues, (key) =>
      key === 'apiKey'
        ? 'an API key is a secret: set it in the TEMPORAL_API_KEY environment variable (or the variable named by apiKeyEnv)'
        : 'correct the value; schemas/temporal.config.schema.json lists every key',
    );
  }
  return parsed.data;
}

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
  const cfg = quickParse(raw) ?? fullParse(raw, resolved ?? 'temporal.config.json');
  const variables = { address: 'TEMPORAL_ADDRESS', namespace: 'TEMPORAL_NAMESPACE', taskQueue: 'TEMPORAL_TASK_QUEUE' } as const;
  const data = { address: cfg.address, namespace: cfg.namespace, taskQueue: cfg.taskQueue };
  for (const key of ['address', 'namespace', 'taskQueue'] as const) {
    const variable = variables[key];
    const value = env[variable] ?? cfg[key];
    if (!TEMPORAL_CONFIG_RULES[key].pattern.test(value))
      throw new ConfigError(`environment variable ${variable}`, key, TEMPORAL_CONFIG_RULES[key].message, `correct or unset ${variable}`);
    data[key] = value;
  }
  const tls = resolveTls(cfg.tls, resolved, env);
  const apiKey = env[cfg.apiKeyEnv] || undefined;
  const [host] = data.address.split(':');
  return {
    file: resolved,
    ...data,
    tls: apiKey && tls === false ? true : tls,
    apiKey,
    devServer: cfg.devServer,
    webUiUrl: (env.TEMPORAL_UI_URL ?? cfg.webUiUrl ?? `http://${host === '127.0.0.1' ? 'localhost' : host}:${cfg.devServer.uiPort}`).replace(/\/$/, ''),
  };
}
