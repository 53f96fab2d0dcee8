import { DbmoveError } from '../common/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, configErrorFromIssues } from './config-error';
import { ENVIRONMENT_NAME, DATABASE_NAME, SQL_IDENTIFIER, describePattern, truncate } from './names';

/**
 * The environment catalog: which environments exist, what kind they are, where their
 * database lives and the settings that belong to the environment rather than to its data
 * (administrator, batch servers, mail, help, users and jobs to bring back after a refresh).
 *
 * Secrets never live here. A setting that needs one names the environment variable that
 * holds it (`...Env`), and only activities read that variable, so the value never reaches
 * workflow inputs or history.
 */

const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be the NAME of an environment variable (A-Z, 0-9, _), not its value');

const environmentName = z.string().regex(ENVIRONMENT_NAME, `must be ${describePattern(ENVIRONMENT_NAME)}`);

const localDatabase = z.strictObject({
  path: z.string().min(1, 'must name the SQLite file'),
});

const sqlAuthentication = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('default') }),
  z.strictObject({ type: z.literal('sql'), userName: z.string().min(1), passwordEnv: envVarName }),
  z.strictObject({ type: z.literal('access-token'), tokenEnv: envVarName }),
]);

/**
 * Why the import/export service's managed-identity options are refused: @azure/arm-sql 10.0.0,
 * the newest stable release on npm, cannot send them. Its ImportExport models require
 * administratorLoginPassword (its serializer refuses a request without one, which the
 * ManagedIdentity type forbids), and it speaks api-version 2022-08-01-preview, older than the
 * managed-identity options (documented with 2023-08-01, specified in 2025-01-01).
 */
const MANAGED_IDENTITY_REFUSED =
  'ManagedIdentity is not supported: @azure/arm-sql 10.0.0 (the newest stable release) requires a password in import/export requests and speaks api-version 2022-08-01-preview, older than the managed-identity options; use ADPassword (a Microsoft Entra user) on a server with Microsoft Entra-only authentication';

/**
 * Azure SQL export and import (bacpac through the ARM import/export service): how the service
 * signs in to the server and to storage. `authenticationType` is the service's own: `Sql` (a
 * SQL login) or `ADPassword` (a Microsoft Entra user and its password, what a server with
 * Microsoft Entra-only authentication accepts). Storage is reached with an account key or a SAS
 * token. Secrets are environment variable names, never values.
 */
const azureImportExport = z
  .strictObject({
    authenticationType: z.enum(['Sql', 'ADPassword', 'ManagedIdentity']).default('Sql'),
    administratorLogin: z.string().min(1).max(128),
    administratorPasswordEnv: envVarName,
    storageKeyType: z.enum(['StorageAccessKey', 'SharedAccessKey', 'ManagedIdentity']).default('SharedAccessKey'),
    storageKeyEnv: envVarName,
  })
  .superRefine((s, ctx) => {
    if (s.authenticationType === 'ManagedIdentity') ctx.addIssue({ code: 'custom', path: ['authenticationType'], message: MANAGED_IDENTITY_REFUSED });
    if (s.storageKeyType === 'ManagedIdentity') ctx.addIssue({ code: 'custom', path: ['storageKeyType'], message: MANAGED_IDENTITY_REFUSED });
  });

const azureSqlDatabase = z.strictObject({
  subscriptionId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a subscription GUID'),
  resourceGroup: z.string().regex(/^[-\w._()]{1,90}$/, 'must be an Azure resource group name'),
  server: z.string().regex(/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/, 'must be the logical server name without .database.windows.net'),
  database: z.string().regex(DATABASE_NAME, `must be ${describePattern(DATABASE_NAME)}`),
  location: z.string().min(1).optional(),
  /**
   * Azure Resource Manager of the cloud the server is in, for a sovereign cloud
   * (https://management.usgovcloudapi.net, https://management.chinacloudapi.cn); Azure's public
   * cloud when not given. Entra ID sign-in follows AZURE_AUTHORITY_HOST, as DefaultAzureCredential reads it.
   */
  resourceManagerEndpoint: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+$/, 'must be the https:// address of an Azure Resource Manager endpoint, such as https://management.usgovcloudapi.net')
    .optional(),
  authentication: sqlAuthentication.default({ type: 'default' }),
  serviceObjective: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/)
    .optional(),
  importExport: azureImportExport.optional(),
});

const sqlServerDatabase = z.strictObject({
  server: z.string().regex(/^[A-Za-z0-9._\\-]+$/, 'must be a host name, optionally with \\instance'),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().regex(DATABASE_NAME, `must be ${describePattern(DATABASE_NAME)}`),
  backupDirectory: z.string().min(1, 'must name a directory the SQL Server service can write'),
  dataDirectory: z.string().min(1).optional(),
  authentication: sqlAuthentication.default({ type: 'default' }),
  trustServerCertificate: z.boolean().default(false),
  /**
   * The server's Windows time zone (`tzutil /g`, e.g. "W. Europe Standard Time"). RESTORE ...
   * STOPAT takes the server's wall-clock time; without this, dbmove reads the UTC offset msdb
   * recorded with the backups around the restore time, and refuses a time it cannot place.
   */
  timeZone: z
    .string()
    .regex(/^[A-Za-z0-9 .()+-]{1,100}$/, 'must be a Windows time zone name such as "W. Europe Standard Time"')
    .optional(),
});

const administrator = z.strictObject({
  networkAlias: z.string().min(3).max(255),
  name: z.string().min(1).max(255).optional(),
  networkDomain: z.string().min(1).max(255).default('https://sts.windows.net/'),
  identityProvider: z.string().min(1).max(255).default('https://sts.windows.net/'),
  sid: z.string().min(1).max(255).optional(),
});

const mail = z.strictObject({
  smtpRelayServer: z.string().min(1).max(255),
  smtpPort: z.number().int().min(1).max(65535).default(25),
  smtpUserName: z.string().max(255).optional(),
  smtpRequireSsl: z.boolean().default(true),
  smtpPasswordEnv: envVarName.optional(),
});

const help = z.strictObject({
  url: z.string().url('must be an absolute URL'),
  lcsProjectId: z.string().max(64).optional(),
});

const webhook = z.strictObject({
  url: z.string().url('must be an absolute URL'),
  secretEnv: envVarName.optional(),
});

const notifications = z.strictObject({
  broadcastLeadTime: z
    .string()
    .regex(/^\d+\s*(ms|s|m|h)$/, 'must be a duration such as 15m')
    .default('15m'),
  broadcastEndpoint: z.string().url().optional(),
  webhooks: z.array(webhook).default([]),
});

const userRef = z.string().min(1).max(255);

const environmentFields = {
  name: environmentName,
  type: z.enum(['production', 'sandbox'], { error: 'must be "production" or "sandbox"' }),
  description: z.string().max(500).optional(),
  administrator: administrator.optional(),
  batchServers: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a server name')).default([]),
  help: help.optional(),
  mail: mail.optional(),
  enableUsers: z.array(userRef).default([]),
  resumeBatchJobs: z.array(z.union([z.string().min(1).max(255), z.number().int()])).default([]),
  approvers: z.array(z.string().min(1).max(128)).default([]),
  scrubPolicies: z.array(z.string().min(1)).default([]),
  schemaDefinition: z.string().min(1).optional(),
  restorePointRetention: z
    .string()
    .regex(/^\d+\s*(d|h|m)$/, 'must be a duration such as 7d')
    .optional(),
  notifications: notifications.optional(),
};

const environmentSchema = z.discriminatedUnion(
  'engine',
  [
    z.strictObject({ ...environmentFields, engine: z.literal('local'), database: localDatabase }),
    z.strictObject({ ...environmentFields, engine: z.literal('azure-sql'), database: azureSqlDatabase }),
    z.strictObject({ ...environmentFields, engine: z.literal('sqlserver'), database: sqlServerDatabase }),
  ],
  { error: 'engine must be "local", "azure-sql" or "sqlserver"' },
);

export const catalogSchema = z
  .strictObject({
    $schema: z.string().optional(),
    defaults: z
      .strictObject({
        minimumPlatformUpdate: z.number().int().min(0).default(13),
        restorePointRetention: z
          .string()
          .regex(/^\d+\s*(d|h|m)$/)
          .default('7d'),
      })
      .default({ minimumPlatformUpdate: 13, restorePointRetention: '7d' }),
    environments: z.array(environmentSchema).min(1, 'must list at least one environment'),
  })
  .superRefine((catalog, ctx) => {
    const seen = new Map<string, number>();
    catalog.environments.forEach((env, i) => {
      if (seen.has(env.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', i, 'name'],
          message: `"${env.name}" is already used by environments[${seen.get(env.name)}]`,
        });
      }
      seen.set(env.name, i);
    });
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type EnvironmentConfig = Catalog['environments'][number];
export type EngineKind = EnvironmentConfig['engine'];
export type LocalEnvironment = Extract<EnvironmentConfig, { engine: 'local' }>;
export type AzureSqlEnvironment = Extract<EnvironmentConfig, { engine: 'azure-sql' }>;
export type SqlServerEnvironment = Extract<EnvironmentConfig, { engine: 'sqlserver' }>;

/** A loaded catalog remembers where it came from, so relative paths resolve against it. */
export interface LoadedCatalog extends Catalog {
  readonly file: string;
  readonly directory: string;
}

const SECRET_KEY = /(password|secret|apikey|api_key|token|connectionstring)$/i;

export function fixForCatalogKey(key: string): string {
  const leaf = key.split('.').pop() ?? '';
  if (SECRET_KEY.test(leaf.replace(/\[\d+\]$/, '')) && !leaf.endsWith('Env')) {
    return `secrets are never read from config files: put the value in an environment variable and name that variable in "${leaf}Env" instead`;
  }
  if (leaf === 'type') return 'set "type" to "production" or "sandbox"';
  if (leaf === 'engine') return 'set "engine" to "local" (SQLite file), "azure-sql" or "sqlserver"';
  if (leaf === 'name') return `use ${describePattern(ENVIRONMENT_NAME)}, unique in the catalog`;
  if (leaf.endsWith('Env')) return 'give the name of an environment variable, for example UAT_SMTP_PASSWORD';
  return 'correct the value, or remove the key; schemas/environments.schema.json lists every key and its type';
}

export function parseCatalog(raw: unknown, file: string): LoadedCatalog {
  const result = catalogSchema.safeParse(raw);
  if (!result.success) {
    throw configErrorFromIssues(file, result.error.issues, fixForCatalogKey);
  }
  const directory = path.dirname(path.resolve(file));
  const absolute = (p: string) => (path.isAbsolute(p) ? p : path.join(directory, p));
  // Relative paths mean "next to the catalog"; engines and activities only ever see absolute ones.
  const environments = result.data.environments.map((env) => ({
    ...env,
    scrubPolicies: env.scrubPolicies.map(absolute),
    schemaDefinition: env.schemaDefinition ? absolute(env.schemaDefinition) : undefined,
    ...(env.engine === 'local' ? { database: { ...env.database, path: absolute(env.database.path) } } : {}),
  })) as Catalog['environments'];
  return { ...result.data, environments, file, directory };
}

export function loadCatalog(file: string): LoadedCatalog {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      absolute,
      '',
      code === 'ENOENT' ? 'the environment catalog does not exist' : `cannot be read (${code})`,
      code === 'ENOENT'
        ? 'run `dbmove demo` to create the demo estate and its catalog, or point DBMOVE_CATALOG at your catalog file'
        : 'check the file permissions',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(absolute, '', `is not valid JSON (${(err as Error).message})`, 'fix the JSON syntax');
  }
  return parseCatalog(raw, absolute);
}

export class UnknownEnvironmentError extends DbmoveError {
  constructor(
    readonly environment: string,
    readonly known: string[],
    readonly file: string,
  ) {
    super(
      'UnknownEnvironment',
      `Unknown environment ${JSON.stringify(truncate(environment, 80))}: ${file} defines ${known.map((k) => `"${k}"`).join(', ')}. ` +
        'Use one of those names, or add the environment to the catalog.',
    );
  }
}

export function findEnvironment(catalog: LoadedCatalog, name: string): EnvironmentConfig {
  const env = catalog.environments.find((e) => e.name === name);
  if (!env)
    throw new UnknownEnvironmentError(
      name,
      catalog.environments.map((e) => e.name),
      catalog.file,
    );
  return env;
}

export function resolveCatalogPath(catalog: LoadedCatalog, file: string): string {
  return path.isAbsolute(file) ? file : path.join(catalog.directory, file);
}

export { SQL_IDENTIFIER };
