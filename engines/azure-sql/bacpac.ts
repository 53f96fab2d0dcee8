import type { ExportDatabaseDefinition } from '@azure/arm-sql';
import { DbmoveError, UnsupportedByEngine } from '../../common/errors';
import { MissingSecret } from '../../common/errors';
import type { EngineContext, ExportResult } from '../port';
import { armCall, ServerApi } from './arm';
import { ResumeJournal, runResumable } from './resumable';

/**
 * Export and import through Azure's import/export service (bacpac in blob storage). The
 * service signs in to the server as a SQL login or a Microsoft Entra user (ADPassword), and to
 * storage with an account key or a SAS token (the catalog's importExport settings). Secrets are
 * read from the environment variables the catalog names, at the moment of the request, and are
 * never saved: the resume state holds only the poller's polling URL and status.
 */
interface Bacpac {
  api: ServerApi;
  database: string;
  ctx: EngineContext;
  secret: (name: string) => string | undefined;
  pollIntervalMs: number;
}

/**
 * The service's documented limit: its machines have 450 GB of local disk and need up to three
 * times a database's size, so Microsoft directs databases over 150 GB to SqlPackage instead
 * (and a bacpac in blob storage may not exceed 200 GB). "Export to a BACPAC file", Azure SQL.
 */
export const BACPAC_SERVICE_LIMIT_BYTES = 150 * 1024 ** 3;

const BLOB_URI = /^https:\/\/[a-z0-9]{3,24}\.blob\.core\.[a-z.]+\/[A-Za-z0-9._\-/]+\.bacpac$/;

type Credentials = Omit<ExportDatabaseDefinition, 'storageUri'>;

function credentials(api: ServerApi, secret: (name: string) => string | undefined, what: string): Credentials {
  const settings = api.env.database.importExport;
  if (!settings) {
    throw new UnsupportedByEngine(
      'azure-sql',
      `${what} ${api.env.name} without import/export settings`,
      `Add database.importExport (authenticationType, administratorLogin, administratorPasswordEnv, storageKeyType, storageKeyEnv) to ${api.env.name} in the catalog.`,
    );
  }
  const storageKey = secret(settings.storageKeyEnv);
  if (storageKey === undefined) throw new MissingSecret(settings.storageKeyEnv, api.env.name, 'the storage key for bacpac import/export');
  const password = secret(settings.administratorPasswordEnv);
  if (password === undefined)
    throw new MissingSecret(settings.administratorPasswordEnv, api.env.name, `the password of ${settings.administratorLogin} for bacpac import/export`);
  return {
    storageKeyType: settings.storageKeyType,
    storageKey,
    administratorLogin: settings.administratorLogin,
    administratorLoginPassword: password,
    // Sql, or ADPassword: a Microsoft Entra user, for a server with Microsoft Entra-only authentication.
    authenticationType: settings.authenticationType,
  };
}

function checkUri(uri: string, role: string): string {
  if (!BLOB_URI.test(uri))
    throw new DbmoveError(
      'ConfigError',
      `The ${role} ${uri} is not a blob URI of a .bacpac file (https://<account>.blob.core.windows.net/<container>/<name>.bacpac); Azure SQL exports and imports only through blob storage`,
    );
  return uri;
}

export async function exportBacpac(input: Bacpac & { destination: string; manifest: Record<string, unknown>; usedBytes: number }): Promise<ExportResult> {
  const { api, database, ctx } = input;
  const storageUri = checkUri(input.destination, 'export destination');
  if (input.usedBytes > BACPAC_SERVICE_LIMIT_BYTES)
    throw new UnsupportedByEngine(
      'azure-sql',
      `export ${api.env.name} through Azure's import/export service: its data takes ${(input.usedBytes / 1024 ** 3).toFixed(1)} GiB, over the 150 GB Microsoft documents for the service (its machines have 450 GB of disk and need up to three times the database's size; a bacpac in blob storage may not exceed 200 GB)`,
      'Export it with SqlPackage on a machine with enough disk, as Microsoft directs for databases over 150 GB.',
    );
  const started = performance.now();
  const { result, resumed } = await runResumable({
    ctx,
    journal: new ResumeJournal(ctx),
    key: `export:${database}`,
    pollIntervalMs: input.pollIntervalMs,
    onPoll: async () => ctx.progress(50, `exporting ${database} to ${storageUri}`),
    begin: (resumeFrom) =>
      armCall(`Exporting ${api.location(database)}`, () =>
        api.client.databases.beginExport(
          api.resourceGroup,
          api.server,
          database,
          { ...credentials(api, input.secret, 'export'), storageUri },
          { resumeFrom, updateIntervalInMs: input.pollIntervalMs },
        ),
      ),
  });
  ctx.progress(100, 'exported');
  return {
    destination: result?.blobUri ?? storageUri,
    bytes: 0,
    checksum: '',
    durationMs: performance.now() - started,
    notes: [
      `${resumed ? 'Finished the' : 'Ran an'} export of ${api.location(database)} to ${storageUri} (request ${result?.requestId ?? 'unknown'}, status ${result?.status ?? 'unknown'})`,
      'A bacpac carries no dbmove manifest and Azure writes it straight to storage: its size and checksum are not known to dbmove; the manifest stays in the operation history',
    ],
  };
}

export async function importBacpac(input: Bacpac & { backup: string }): Promise<string[]> {
  const { api, database, ctx } = input;
  const storageUri = checkUri(input.backup, 'backup');
  const objective = api.env.database.serviceObjective;
  const { result, resumed } = await runResumable({
    ctx,
    journal: new ResumeJournal(ctx),
    key: `import:${database}`,
    pollIntervalMs: input.pollIntervalMs,
    onPoll: async () => ctx.progress(50, `importing ${storageUri} into ${database}`),
    begin: (resumeFrom) =>
      armCall(`Importing into ${api.location(database)}`, () =>
        api.client.servers.beginImportDatabase(
          api.resourceGroup,
          api.server,
          { databaseName: database, ...(objective ? { serviceObjectiveName: objective } : {}), ...credentials(api, input.secret, 'import into'), storageUri },
          { resumeFrom, updateIntervalInMs: input.pollIntervalMs },
        ),
      ),
  });
  ctx.progress(100, 'imported');
  return [
    `${resumed ? 'Finished the' : 'Ran an'} import of ${storageUri} into ${api.location(database)} (request ${result?.requestId ?? 'unknown'}, status ${result?.status ?? 'unknown'})`,
  ];
}
