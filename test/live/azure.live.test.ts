import { expect } from 'chai';
import * as crypto from 'node:crypto';
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
