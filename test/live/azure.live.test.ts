import { expect } from 'chai';
import * as crypto from 'node:crypto';
import type { SqlManagementClient } from '@azure/arm-sql';
import { checkRestoreTime } from '../../activities/steps/precheck/restore-time';
import { parseCatalog, type AzureSqlEnvironment } from '../../config/catalog';
import { AzureSqlEngine } from '../../engines/azure-sql/azure-sql-engine';
import { derivedNames } from '../../engines/azure-sql/names';
import { testContext } from '../support/azure-estate';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide } from '../../client/operations';
import { packageRoot } from '../../config/package-root';
import type { OperationResult } from '../../workflows/types';
import { startRefresh, waitForPhase } from '../support/operations';
import { testServer } from '../support/server';
import { createDbmoveWorker } from '../../worker/create-worker';

/**
 * LIVE suite: a full refresh, then a refresh rolled back after SWAP, against a real Azure SQL
 * logical server, through the real worker, the real Temporal dev server, @azure/arm-sql with
 * DefaultAzureCredential and mssql. Skipped unless the variables below are set; it creates
 * and deletes databases (it never writes the source), costs money and takes tens of minutes.
 *
 *   AZURE_SUBSCRIPTION_ID            subscription of both servers
 *   DBMOVE_LIVE_RESOURCE_GROUP       resource group of both servers
 *   DBMOVE_LIVE_SOURCE_SERVER        logical server name (no .database.windows.net) of the source
 *   DBMOVE_LIVE_SOURCE_DATABASE      source database (F&O-shaped: the demo schema, `dbmove demo` tables)
 *   DBMOVE_LIVE_TARGET_SERVER        logical server of the target (may equal the source server)
 *   DBMOVE_LIVE_TARGET_DATABASE      target database, replaced by the refresh and restored by the rollback
 *   optional DBMOVE_LIVE_SQL_USER + DBMOVE_LIVE_SQL_PASSWORD   SQL login for the data plane
 *                                    (else Entra ID through DefaultAzureCredential)
 *
 * Credentials for ARM (and Entra ID for SQL) come from DefaultAzureCredential: AZURE_TENANT_ID,
 * AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, a managed identity, or `az login`. The identity
 * needs SQL DB Contributor on both servers, and the client IP must pass both server firewalls.
 */
const REQUIRED = [
  'AZURE_SUBSCRIPTION_ID',
  'DBMOVE_LIVE_RESOURCE_GROUP',
  'DBMOVE_LIVE_SOURCE_SERVER',
  'DBMOVE_LIVE_SOURCE_DATABASE',
  'DBMOVE_LIVE_TARGET_SERVER',
  'DBMOVE_LIVE_TARGET_DATABASE',
];

describe('LIVE: refresh and rollback on a real Azure SQL server', function () {
  this.timeout(90 * 60_000);
  let catalogFile: string;
  let stateDir: string;

  before(function () {
    const missing = REQUIRED.filter((name) => !process.env[name]);
    if (missing.length) {
      console.log(`    (live Azure SQL suite skipped: set ${missing.join(', ')}; see test/live/azure.live.test.ts)`);
      this.skip();
    }
    const env = process.env;
    const home = path.join(packageRoot(), '.tmp', 'live', `azure-${crypto.randomBytes(4).toString('hex')}`);
    fs.mkdirSync(home, { recursive: true });
    stateDir = path.join(home, 'state');
    const authentication = env.DBMOVE_LIVE_SQL_USER
      ? { type: 'sql', userName: env.DBMOVE_LIVE_SQL_USER, passwordEnv: 'DBMOVE_LIVE_SQL_PASSWORD' }
      : { type: 'default' };
    const database = (server: string, db: string) => ({
      subscriptionId: env.AZURE_SUBSCRIPTION_ID,
      resourceGroup: env.DBMOVE_LIVE_RESOURCE_GROUP,
      server,
      database: db,
      authentication,
    });
    catalogFile = path.join(home, 'environments.json');
    // Both test databases are copies of one F&O deployment's: declare its versions (DBMOVE_LIVE_VERSIONS overrides, as JSON).
    const liveVersions = {
      from: 'declared',
      applicationRelease: '10.0.41',
      platformUpdate: 65,
      financialReporting: '10.0.41.20017',
      ...JSON.parse(env.DBMOVE_LIVE_VERSIONS ?? '{}'),
    };
    fs.writeFileSync(
      catalogFile,
      JSON.stringify(
        {
          environments: [
            {
              name: 'prod',
              type: 'production',
              engine: 'azure-sql',
              database: database(env.DBMOVE_LIVE_SOURCE_SERVER!, env.DBMOVE_LIVE_SOURCE_DATABASE!),
              versions: liveVersions,
            },
            {
              name: 'uat',
              type: 'sandbox',
              engine: 'azure-sql',
              database: database(env.DBMOVE_LIVE_TARGET_SERVER!, env.DBMOVE_LIVE_TARGET_DATABASE!),
              administrator: { networkAlias: 'live-admin@contoso.test' },
              versions: liveVersions,
            },
          ],
        },
        null,
        2,
      ),
    );
  });

  async function worker() {
    const taskQueue = `live-azure-${crypto.randomBytes(4).toString('hex')}`;
    const w = await createDbmoveWorker({
      connection: testServer().nativeConnection,
      namespace: testServer().namespace ?? 'default',
      taskQueue,
      catalogFile,
      stateDir,
    });
    return { worker: w, taskQueue, run: <T>(fn: () => Promise<T>) => w.runUntil(fn) };
  }

  it('refreshes the target from the source and signs off (staging and aside databases deleted)', async () => {
    const w = await worker();
    const result = await w.run(async () => {
      const handle = await startRefresh(w, { tuning: { initialInterval: '10s' } });
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED'], 80 * 60_000);
      expect(status.phase, JSON.stringify(status.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
      await decide(handle, 'sign-off', { by: 'live-test' });
      return (await handle.result()) as OperationResult;
    });
    expect(result.phase).to.equal('COMPLETED');
  });

  it('rolls a refresh back after SWAP: point-in-time restore to the marker, then the rename swap', async () => {
    const w = await worker();
    const result = await w.run(async () => {
      const handle = await startRefresh(w, { tuning: { initialInterval: '10s' } });
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED'], 80 * 60_000);
      expect(status.phase, JSON.stringify(status.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
      await decide(handle, 'rollback', { by: 'live-test', note: 'live rollback test' });
      return (await handle.result()) as OperationResult;
    });
    expect(result.phase).to.equal('ROLLED_BACK');
  });
});

/**
 * LIVE: what the loopback ARM mock and the recording data plane stand in for, checked against
 * Azure itself, one behaviour per test, engine by engine (no workflow). Each test needs the
 * variables above, and some more of its own (named in the test), and skips without them. They
 * create databases (staging copies named <db>_stg_<digest>) and delete them at the end.
 *
 *   DBMOVE_LIVE_PAUSE_MINUTES       the target server allows serverless GP_S_Gen5 databases; the
 *                                   staging copy is made serverless with this auto-pause delay
 *                                   (15 or more) and the test waits for it to pause
 *   DBMOVE_LIVE_BACPAC_URI          https://<account>.blob.core.windows.net/<container>/<name>.bacpac
 *   DBMOVE_LIVE_STORAGE_KEY         a SAS token for it (SharedAccessKey)
 *   DBMOVE_LIVE_ENTRA_USER / DBMOVE_LIVE_ENTRA_PASSWORD   a Microsoft Entra user (no MFA) that is
 *                                   an administrator of the target server, for ADPassword
 */
describe('LIVE: Azure behaviours the loopback mock stands in for', function () {
  this.timeout(120 * 60_000);
  const seen: { method: string; url: string; status: number; headers: Record<string, string> }[] = [];
  let engine: AzureSqlEngine;
  let client: SqlManagementClient;

  function need(names: string[], test: Mocha.Context): void {
    const missing = [...REQUIRED, ...names].filter((name) => !process.env[name]);
    if (missing.length) {
      console.log(`      (skipped: set ${missing.join(', ')})`);
      test.skip();
    }
  }

  function environments(): { source: AzureSqlEnvironment; target: AzureSqlEnvironment } {
    const env = process.env;
    const authentication = env.DBMOVE_LIVE_SQL_USER
      ? { type: 'sql', userName: env.DBMOVE_LIVE_SQL_USER, passwordEnv: 'DBMOVE_LIVE_SQL_PASSWORD' }
      : { type: 'default' };
    const database = (server: string, db: string, extra: Record<string, unknown> = {}) => ({
      subscriptionId: env.AZURE_SUBSCRIPTION_ID,
      resourceGroup: env.DBMOVE_LIVE_RESOURCE_GROUP,
      server,
      database: db,
      authentication,
      ...extra,
    });
    const importExport = env.DBMOVE_LIVE_ENTRA_USER
      ? {
          importExport: {
            authenticationType: 'ADPassword',
            administratorLogin: env.DBMOVE_LIVE_ENTRA_USER,
            administratorPasswordEnv: 'DBMOVE_LIVE_ENTRA_PASSWORD',
            storageKeyType: 'SharedAccessKey',
            storageKeyEnv: 'DBMOVE_LIVE_STORAGE_KEY',
          },
        }
      : {};
    const catalog = parseCatalog(
      {
        environments: [
          { name: 'prod', type: 'production', engine: 'azure-sql', database: database(env.DBMOVE_LIVE_SOURCE_SERVER!, env.DBMOVE_LIVE_SOURCE_DATABASE!) },
          {
            name: 'uat',
            type: 'sandbox',
            engine: 'azure-sql',
            database: database(env.DBMOVE_LIVE_TARGET_SERVER!, env.DBMOVE_LIVE_TARGET_DATABASE!, importExport),
          },
        ],
      },
      '/live/environments.json',
    );
    return { source: catalog.environments[0] as AzureSqlEnvironment, target: catalog.environments[1] as AzureSqlEnvironment };
  }

  beforeEach(function () {
    if (REQUIRED.some((name) => !process.env[name])) return;
    seen.length = 0;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SqlManagementClient } = require('@azure/arm-sql') as typeof import('@azure/arm-sql');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    client = new SqlManagementClient(new DefaultAzureCredential(), process.env.AZURE_SUBSCRIPTION_ID!);
    client.pipeline.addPolicy({
      name: 'dbmove-live-recorder',
      async sendRequest(request, next) {
        const response = await next(request);
        seen.push({ method: request.method, url: request.url, status: response.status, headers: response.headers.toJSON() });
        return response;
      },
    });
    engine = new AzureSqlEngine({ managementClient: () => client, pollIntervalMs: 15_000 });
  });

  async function withStaging(operationId: string, fn: (staging: string) => Promise<void>): Promise<void> {
    const { source, target } = environments();
    try {
      await engine.copyToStaging(source, target, operationId, testContext());
      await fn(derivedNames(target.database.database, operationId).staging);
    } finally {
      await engine.dropStaging(target, operationId);
    }
  }

  it("a database PUT answers 202 with Azure-AsyncOperation and Location, and the SDK polls the first to Succeeded (the mock's DatabaseAzureAsyncOperation.json)", async function () {
    need([], this);
    await withStaging(`live-lro-${crypto.randomBytes(3).toString('hex')}`, async () => {
      const put = seen.find((r) => r.method === 'PUT' && r.url.includes('/databases/'));
      expect(put?.status).to.be.oneOf([201, 202]);
      expect(put?.headers['azure-asyncoperation']).to.match(/\/locations\/[^/]+\/databaseAzureAsyncOperation\//);
      expect(put?.headers.location).to.match(/\/locations\/[^/]+\/databaseOperationResults\//);
      expect(seen.some((r) => r.method === 'GET' && r.url.includes('/databaseAzureAsyncOperation/'))).to.equal(true);
    });
  });

  it('the staging copy runs as the target does: its elastic pool, or its service objective, and its max size (copy within the tier, then an update)', async function () {
    need([], this);
    const { target } = environments();
    const live = await client.databases.get(target.database.resourceGroup, target.database.server, target.database.database);
    await withStaging(`live-place-${crypto.randomBytes(3).toString('hex')}`, async (staging) => {
      const copy = await client.databases.get(target.database.resourceGroup, target.database.server, staging);
      expect(copy.elasticPoolId?.toLowerCase()).to.equal(live.elasticPoolId?.toLowerCase());
      if (!live.elasticPoolId) expect(copy.currentServiceObjectiveName).to.equal(live.currentServiceObjectiveName);
      expect(copy.maxSizeBytes).to.equal(live.maxSizeBytes);
    });
  });

  it('Azure refuses a copy at a compute size of another service tier (the rule the mock enforces)', async function () {
    need([], this);
    const { source, target } = environments();
    const src = await client.databases.get(source.database.resourceGroup, source.database.server, source.database.database);
    const other = src.sku?.tier === 'GeneralPurpose' ? { name: 'S1' } : { name: 'GP_Gen5', capacity: 2 };
    const name = `${target.database.database}_tier_${crypto.randomBytes(3).toString('hex')}`;
    const refused = await client.databases
      .beginCreateOrUpdateAndWait(target.database.resourceGroup, target.database.server, name, {
        location: (await client.servers.get(target.database.resourceGroup, target.database.server)).location,
        createMode: 'Copy',
        sourceDatabaseId: src.id,
        sku: other,
      })
      .then(
        () => undefined,
        (err: { statusCode?: number; code?: string }) => err,
      );
    await client.databases.beginDeleteAndWait(target.database.resourceGroup, target.database.server, name).catch(() => undefined);
    expect(refused, `Azure accepted a copy of a ${src.sku?.tier} database at ${other.name}`).not.to.equal(undefined);
  });

  it('the restore window ends at the last log backup that sys.dm_database_backups lists, minutes before now', async function () {
    need([], this);
    const { target } = environments();
    const window = await engine.restorePoints(target);
    expect(window.latest, 'a non-Hyperscale database lists its log backups').to.be.a('string');
    const age = Date.now() - Date.parse(window.latest!);
    expect(age).to.be.within(0, 30 * 60_000);
    expect(checkRestoreTime('uat', { to: new Date(Date.parse(window.latest!) - 60_000).toISOString() }, window).ok).to.equal(true);
  });

  it('a paused serverless staging copy is kept and resumed by a login, not copied again', async function () {
    need(['DBMOVE_LIVE_PAUSE_MINUTES'], this);
    const { source, target } = environments();
    const minutes = Number(process.env.DBMOVE_LIVE_PAUSE_MINUTES);
    const operationId = `live-pause-${crypto.randomBytes(3).toString('hex')}`;
    await withStaging(operationId, async (staging) => {
      const rg = target.database.resourceGroup;
      const server = target.database.server;
      await client.databases.beginUpdateAndWait(rg, server, staging, { sku: { name: 'GP_S_Gen5', capacity: 1 }, autoPauseDelay: minutes, minCapacity: 0.5 });
      const deadline = Date.now() + (minutes + 30) * 60_000;
      while ((await client.databases.get(rg, server, staging)).status !== 'Paused') {
        if (Date.now() > deadline) throw new Error(`${staging} did not pause within ${minutes + 30} minutes`);
        await new Promise((resolve) => setTimeout(resolve, 60_000));
      }
      const puts = seen.filter((r) => r.method === 'PUT').length;
      const retried = await engine.copyToStaging(source, target, operationId, testContext());
      expect(retried.resumed).to.equal(true);
      expect(seen.filter((r) => r.method === 'PUT').length, 'no second copy').to.equal(puts);
      const session = await engine.openStaging(target, operationId);
      await session.query('SELECT 1 AS resumed');
      await session.close();
      expect((await client.databases.get(rg, server, staging)).status).to.equal('Online');
    });
  });

  it('exports a bacpac as a Microsoft Entra user (authenticationType ADPassword)', async function () {
    need(['DBMOVE_LIVE_BACPAC_URI', 'DBMOVE_LIVE_STORAGE_KEY', 'DBMOVE_LIVE_ENTRA_USER', 'DBMOVE_LIVE_ENTRA_PASSWORD'], this);
    const { target } = environments();
    const operationId = `live-bacpac-${crypto.randomBytes(3).toString('hex')}`;
    await withStaging(operationId, async () => {
      const result = await engine.exportStaging(
        target,
        operationId,
        process.env.DBMOVE_LIVE_BACPAC_URI!,
        {
          operationId,
          createdAt: new Date().toISOString(),
          source: { environment: 'uat', type: 'sandbox', engine: 'azure-sql' },
          versions: {},
          policy: { sources: [], elements: [] },
        },
        testContext(),
      );
      expect(result.notes.join(' ')).to.match(/status (Completed|Succeeded)/);
    });
  });
});
