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

/**
 * The database users an F&O environment's own services sign in with (F&O on Azure SQL: the
 * contained users axdbadmin, axruntimeuser, axmrruntimeuser, axretailruntimeuser,
 * axretaildatasyncuser, axdeployextuser; set-bacpacvaluesazure.sql). After a copy POSTCONFIG
 * creates them in the target's database: from a server login (`login`, SQL Server) or as a
 * contained user whose password is read from `passwordEnv` (never from this file). `roles`
 * default to the ones F&O gives each well-known user.
 */
const databaseUser = z
  .strictObject({
    name: z.string().regex(SQL_IDENTIFIER, `must be ${describePattern(SQL_IDENTIFIER)}`),
    roles: z.array(z.string().regex(SQL_IDENTIFIER, `must be ${describePattern(SQL_IDENTIFIER)}`)).optional(),
    login: z
      .string()
      .regex(SQL_IDENTIFIER, `must be ${describePattern(SQL_IDENTIFIER)}`)
      .optional(),
    passwordEnv: envVarName.optional(),
  })
  .refine((u) => Boolean(u.login) !== Boolean(u.passwordEnv), {
    message: 'give either passwordEnv (a contained user, Azure SQL) or login (a user from a server login, SQL Server), not both',
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
  users: z.array(databaseUser).default([]),
});

const sqlServerDatabase = z.strictObject({
  server: z.string().regex(/^[A-Za-z0-9._\\-]+$/, 'must be a host name, optionally with \\instance'),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().regex(DATABASE_NAME, `must be ${describePattern(DATABASE_NAME)}`),
  backupDirectory: z.string().min(1, 'must name a directory the SQL Server service can write'),
  dataDirectory: z.string().min(1).optional(),
  authentication: sqlAuthentication.default({ type: 'default' }),
  trustServerCertificate: z.boolean().default(false),
  users: z.array(databaseUser).default([]),
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
  // F&O encrypts the SMTP password with the environment's own key: a value written by anyone
  // else is plain text in an encrypted field. It is re-entered in the client (the sign-off
  // checklist says where), so the catalog has no place for it any more.
  smtpPasswordEnv: z
    .never({
      error:
        "is no longer read: F&O encrypts the SMTP password with the environment's own key, so dbmove never writes it; re-enter it in System administration > Setup > Email > Email parameters after the refresh (the sign-off checklist lists it)",
    })
    .optional(),
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

const duration = z.string().regex(/^\d+\s*(ms|s|m|h)$/, 'must be a duration such as 30s, 5m or 2h');
const dottedVersion = z.string().regex(/^\d+(\.\d+){1,4}$/, 'must be a dotted version such as 10.0.41');
const argv = z.array(z.string().min(1).max(4096)).min(1, 'must name the program to run').max(100);

/** An HTTPS endpoint dbmove calls (plain HTTP only on the loopback interface). */
const endpointUrl = z
  .string()
  .url('must be an absolute URL')
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  }, 'must be https:// (plain http:// only on 127.0.0.1, [::1] or localhost)');

const httpCall = {
  url: endpointUrl,
  /** Sent as "Authorization: Bearer <value of the variable>". */
  tokenEnv: envVarName.optional(),
  /** A PEM file of the certificate authorities to trust for this endpoint (an internal CA). */
  caFile: z.string().min(1).optional(),
  timeout: duration.default('30s'),
};

/**
 * Where an environment's versions come from: its deployment, never its database (Lifecycle
 * Services shows them under the environment's "View detailed version information").
 * `declared`: written here. `command`: a program that prints them as JSON. `endpoint`: an
 * HTTPS endpoint that answers them, in dbmove's shape or as Lifecycle Services' environment
 * metadata API answers (which has no Financial Reporting version: declare that one beside it).
 */
const versions = z.discriminatedUnion(
  'from',
  [
    z.strictObject({
      from: z.literal('declared'),
      applicationRelease: dottedVersion,
      platformUpdate: z.number().int().min(0).max(10_000),
      financialReporting: dottedVersion,
    }),
    z.strictObject({ from: z.literal('command'), command: argv, timeout: duration.default('30s') }),
    z.strictObject({
      from: z.literal('endpoint'),
      ...httpCall,
      format: z.enum(['dbmove', 'lcs-environment-metadata']).default('dbmove'),
      financialReporting: dottedVersion.optional(),
    }),
  ],
  { error: 'versions.from must be "declared", "command" or "endpoint"' },
);

/** One action on an application service: a program to run, or an HTTP(S) request to send. */
const serviceAction = z.union([
  z.strictObject({ command: argv, timeout: duration.default('5m') }),
  z.strictObject({
    ...httpCall,
    method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
    timeout: duration.default('5m'),
  }),
]);

/**
 * An application service around the database (F&O: the AOS web service, the batch service,
 * Management Reporter). SWAP drains and stops every service in order, swaps, starts them in
 * order and waits until each health action succeeds. Actions must be safe to repeat: Temporal
 * runs an activity at least once.
 */
const applicationService = z.strictObject({
  name: z.string().min(1).max(100),
  drain: serviceAction.optional(),
  stop: serviceAction,
  start: serviceAction,
  health: serviceAction,
});

const application = z.strictObject({
  services: z.array(applicationService).min(1, 'must list at least one service'),
  /** How long SWAP waits for every service to answer its health action after starting them. */
  healthTimeout: duration.default('10m'),
  healthInterval: duration.default('2s'),
  /**
   * After the swap, the environment administrator signs in through the application: an HTTP
   * POST of {"signInName", "identityProvider"} answered 200 with {"userId": "Admin"}, or a
   * command (DBMOVE_SIGN_IN_NAME and DBMOVE_IDENTITY_PROVIDER in its environment) that exits 0.
   */
  signIn: serviceAction.optional(),
});

/**
 * The platform's own database synchronisation (F&O: SyncEngine.exe -syncmode=fullall, which
 * also recreates views and data entities). SYNC runs it against the staging database instead
 * of dbmove's schema comparison: {server}, {database} and {location} in the arguments become
 * the staging database's, as do DBMOVE_STAGING_* in its environment.
 */
const databaseSync = z.strictObject({
  command: argv,
  timeout: duration.default('4h'),
});

/** The tenant an environment belongs to (SYSSERVICECONFIGURATIONSETTING, POWERBICONFIG, PROVISIONINGMESSAGETABLE). */
const tenant = z.strictObject({
  id: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be the tenant GUID'),
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
  versions: versions.optional(),
  application: application.optional(),
  databaseSync: databaseSync.optional(),
  tenant: tenant.optional(),
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
export type VersionsSource = NonNullable<EnvironmentConfig['versions']>;
export type ApplicationConfig = NonNullable<EnvironmentConfig['application']>;
export type ApplicationService = ApplicationConfig['services'][number];
export type ServiceAction = ApplicationService['stop'];
export type DatabaseSyncConfig = NonNullable<EnvironmentConfig['databaseSync']>;
export type DatabaseUserConfig = z.infer<typeof databaseUser>;

/** A loaded catalog remembers where it came from, so relative paths resolve against it. */
export interface LoadedCatalog extends Catalog {
  readonly file: string;
  readonly directory: string;
}

const SECRET_KEY = /(password|secret|apikey|api_key|token|connectionstring)$/i;

export function fixForCatalogKey(key: string): string {
  const leaf = key.split('.').pop() ?? '';
  if (/^smtpPassword(Env)?$/.test(leaf))
    return "remove it: F&O encrypts the SMTP password with the environment's own key, so dbmove never writes it; re-enter it in System administration > Setup > Email > Email parameters after the refresh (the sign-off checklist lists it)";
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
  const withCa = <T extends { caFile?: string }>(call: T): T => (call.caFile ? { ...call, caFile: absolute(call.caFile) } : call);
  const action = (a: ServiceAction): ServiceAction => ('url' in a ? withCa(a) : a);
  const environments = result.data.environments.map((env) => ({
    ...env,
    scrubPolicies: env.scrubPolicies.map(absolute),
    schemaDefinition: env.schemaDefinition ? absolute(env.schemaDefinition) : undefined,
    versions: env.versions?.from === 'endpoint' ? withCa(env.versions) : env.versions,
    application: env.application
      ? {
          ...env.application,
          signIn: env.application.signIn ? action(env.application.signIn) : undefined,
          services: env.application.services.map((s) => ({
            ...s,
            drain: s.drain ? action(s.drain) : undefined,
            stop: action(s.stop),
            start: action(s.start),
            health: action(s.health),
          })),
        }
      : undefined,
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
