import { DbmoveError, UnsupportedByEngine } from '../../common/errors';
import { MissingSecret } from '../../common/errors';
import type { EngineContext, ExportResult } from '../port';
import { armCall, ServerApi } from './arm';
import { ResumeJournal, runResumable } from './resumable';

/**
 * Export and import through Azure's import/export service (bacpac in blob storage). The
 * service needs a storage key and a SQL administrator password in the request body; both are
 * read from the environment variables the catalog names, at the moment of the request, and
 * are never saved: the resume state holds only the poller's polling URL and status.
 */
interface Bacpac {
  api: ServerApi;
  database: string;
  ctx: EngineContext;
  secret: (name: string) => string | undefined;
  pollIntervalMs: number;
}

const BLOB_URI = /^https:\/\/[a-z0-9]{3,24}\.blob\.core\.[a-z.]+\/[A-Za-z0-9._\-/]+\.bacpac$/;

function credentials(api: ServerApi, secret: (name: string) => string | undefined, what: string) {
  const settings = api.env.database.importExport;
  if (!settings) {
    throw new UnsupportedByEngine(
      'azure-sql',
      `${what} ${api.env.name} without import/export settings`,
      `Add database.importExport (storageKeyType, storageKeyEnv, administratorLogin, administratorPasswordEnv) to ${api.env.name} in the catalog.`,
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
    authenticationType: 'Sql',
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

export async function exportBacpac(input: Bacpac & { destination: string; manifest: Record<string, unknown> }): Promise<ExportResult> {
  const { api, database, ctx } = input;
  const storageUri = checkUri(input.destination, 'export destination');
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
