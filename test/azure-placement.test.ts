import { expect } from 'chai';
import { checkRestoreTime } from '../activities/steps/precheck/restore-time';
import { shortOperationId } from '../engines/azure-sql/names';
import { ConfigError } from '../config/config-error';
import { parseCatalog } from '../config/catalog';
import { AzureFake, azureEnvironments, environment, PROD_SERVER, startAzureFake, testContext, UAT_SERVER } from './support/azure-estate';
import { skuFor } from './support/fake-arm';
import { loopbackManagementClient } from './support/loopback-arm-client';
import { managementClientOptions, PUBLIC_CLOUD_ARM } from '../engines/azure-sql/azure-sql-engine';

/**
 * The Azure SQL engine's rules around its ARM requests, against the loopback ARM MOCK
 * (test/support/fake-arm.ts, which refuses what Azure documents it refuses) and the recording
 * data plane: placement of copies and restores (elastic pool, service tier, max size), paused
 * serverless databases, the SQL host name from ARM, the restore window's end, bacpac limits,
 * and a long-running operation that Azure reports Failed. No Azure is reached.
 */
const OP = 'refresh-placement-0001';
const STG = `AxDB_stg_${shortOperationId(OP)}`;
const GiB = 1024 ** 3;

/** The test catalog's uat with changes to its database settings. */
function uatWith(database: Record<string, unknown>) {
  const envs = azureEnvironments();
  Object.assign(envs[1].database, database);
  return environment('azuat', envs);
}

describe('Azure SQL placement, serverless, host names, restore window and bacpac limits (loopback ARM mock)', function () {
  this.timeout(30_000);
  let fake: AzureFake;
  const prod = () => environment('azprod');
  const uat = () => environment('azuat');

  beforeEach(async () => {
    fake = await startAzureFake();
  });
  afterEach(async () => {
    expect(fake.arm.unexpected, 'requests the mock does not know').to.deep.equal([]);
    await fake.stop();
  });

  it("copies into the target's elastic pool (the pool named, no compute size), then sets the target's max size", async () => {
    const pool = fake.arm.addPool(UAT_SERVER, 'erp-pool', 'Standard');
    Object.assign(fake.arm.database(UAT_SERVER, 'AxDB')!, {
      elasticPoolId: pool,
      sku: { name: 'ElasticPool', tier: 'Standard' },
      objective: 'ElasticPool',
      maxSizeBytes: 100 * GiB,
    });
    const result = await fake.engine().copyToStaging(prod(), uat(), OP, testContext());
    const [put] = fake.arm.of('PUT');
    expect(put.body.properties.elasticPoolId).to.equal(pool);
    expect(put.body.sku, 'a pooled database names its pool, not a service objective').to.equal(undefined);
    const [patch] = fake.arm.of('PATCH');
    expect(patch.body).to.deep.equal({ properties: { maxSizeBytes: 100 * GiB } });
    expect(fake.arm.database(UAT_SERVER, STG)).to.deep.include({ elasticPoolId: pool, maxSizeBytes: 100 * GiB, status: 'Online' });
    expect(result.notes.join(' ')).to.match(/elastic pool erp-pool/);
  });

  it("copies a target of another service tier in the source's tier (a copy changes compute size only within it), then scales to the target's", async () => {
    // prod runs S1 (Standard); uat is General Purpose, and the catalog names its compute size.
    const target = uatWith({ serviceObjective: 'GP_Gen5_2' });
    Object.assign(fake.arm.database(UAT_SERVER, 'AxDB')!, skuFor({ name: 'GP_Gen5_2' }));
    const result = await fake.engine().copyToStaging(prod(), target, OP, testContext());
    const [put] = fake.arm.of('PUT');
    expect(put.body.sku, 'no compute size of another tier in the copy').to.equal(undefined);
    const [patch] = fake.arm.of('PATCH');
    expect(patch.path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/databases/${STG}`);
    expect(patch.body.sku).to.deep.equal({ name: 'GP_Gen5_2' });
    expect(fake.arm.database(UAT_SERVER, STG)).to.deep.include({ objective: 'GP_Gen5_2', status: 'Online' });
    expect(result.notes.join(' ')).to.match(/in the source's service tier \(Standard.*then scaled/);
    // The update is a long-running operation too: polled through its Azure-AsyncOperation, its result read at its Location.
    expect(fake.arm.of('GET').filter((r) => r.path.includes('/databaseOperationResults/'))).to.have.length(1);
  });

  it('copies within the tier at the compute size asked for, and sends no update when nothing differs', async () => {
    await fake.engine().copyToStaging(prod(), uat(), OP, testContext());
    expect(fake.arm.of('PUT')[0].body.sku).to.deep.equal({ name: 'S1' });
    expect(fake.arm.of('PATCH')).to.deep.equal([]);
  });

  it('refuses, before any request that changes something, a Hyperscale source for a target outside Hyperscale and data larger than the target max size', async () => {
    Object.assign(fake.arm.database(PROD_SERVER, 'AxDB')!, skuFor({ name: 'HS_Gen5_4' }));
    const hyperscale = await fake
      .engine()
      .copyToStaging(prod(), uat(), OP, testContext())
      .catch((e: Error) => e);
    expect((hyperscale as Error).name).to.equal('UnsupportedByEngine');
    expect((hyperscale as Error).message).to.match(/Hyperscale/);

    Object.assign(fake.arm.database(PROD_SERVER, 'AxDB')!, skuFor({ name: 'S3' }));
    fake.arm.database(PROD_SERVER, 'AxDB')!.content.usedBytes = 300 * GiB;
    const tooBig = await fake
      .engine()
      .copyToStaging(prod(), uat(), OP, testContext())
      .catch((e: Error) => e);
    expect((tooBig as Error).message).to.match(/takes 300\.0 GiB .* max size of 250\.0 GiB/);
    expect(fake.arm.requests.filter((r) => r.method !== 'GET')).to.deep.equal([]);
  });

  it("rolls back into the replaced database's elastic pool (a restore into a pool names no service objective)", async () => {
    const pool = fake.arm.addPool(UAT_SERVER, 'erp-pool', 'Standard');
    Object.assign(fake.arm.database(UAT_SERVER, 'AxDB')!, { elasticPoolId: pool, sku: { name: 'ElasticPool', tier: 'Standard' }, objective: 'ElasticPool' });
    const engine = fake.engine();
    const marker = await engine.markPointInTime(uat(), OP, testContext());
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    await engine.swapIn(uat(), OP, testContext());
    await engine.restoreToMarker(uat(), marker, OP, testContext());
    const pitr = fake.arm.of('PUT').at(-1)!;
    expect(pitr.body.properties).to.deep.include({ createMode: 'PointInTimeRestore', elasticPoolId: pool });
    expect(pitr.body.sku).to.equal(undefined);
    expect(fake.arm.database(UAT_SERVER, 'AxDB')).to.deep.include({ elasticPoolId: pool, createMode: 'PointInTimeRestore' });
  });

  it('keeps a paused serverless staging database: a retried COPY neither drops nor copies it, and staging sessions and SWAP resume it by logging in', async () => {
    const engine = fake.engine();
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    const staging = fake.arm.database(UAT_SERVER, STG)!;
    staging.status = 'Paused';
    const retried = await engine.copyToStaging(prod(), uat(), OP, testContext());
    expect(retried.resumed).to.equal(true);
    expect(fake.arm.of('DELETE')).to.deep.equal([]);
    expect(fake.arm.of('PUT')).to.have.length(1);

    staging.status = 'Paused';
    const session = await engine.openStaging(uat(), OP);
    expect(staging.status, 'resumed by a login').to.equal('Online');
    expect(await session.query('SELECT [VALUE] AS value FROM [SQLSYSTEMVARIABLES] WHERE [PARM] = @p0', ['CONFIGURATIONMODE'])).to.not.deep.equal([]);
    await session.close();

    staging.status = 'AutoClosed';
    const ctx = testContext();
    await engine.swapIn(uat(), OP, ctx);
    expect(ctx.logs.join(' ')).to.match(/is paused: logging in to resume it/);
    expect(fake.arm.database(UAT_SERVER, 'AxDB')?.status).to.equal('Online');
  });

  it("connects to the server's fullyQualifiedDomainName from ARM, and to the catalog's Resource Manager endpoint, so a sovereign cloud works", async () => {
    fake.arm.addServer(UAT_SERVER, 'database.usgovcloudapi.net');
    fake.arm.addServer(PROD_SERVER, 'database.chinacloudapi.cn');
    const endpoints: string[] = [];
    const loopback = loopbackManagementClient(fake.arm);
    const engine = fake.engine({
      managementClient: (subscription, endpoint) => {
        endpoints.push(endpoint);
        return loopback(subscription);
      },
    });
    const gov = uatWith({ resourceManagerEndpoint: 'https://management.usgovcloudapi.net' });
    await engine.copyToStaging(prod(), gov, OP, testContext());
    expect(endpoints.sort()).to.deep.equal([PUBLIC_CLOUD_ARM, 'https://management.usgovcloudapi.net']);
    expect(managementClientOptions('https://management.usgovcloudapi.net')).to.deep.equal({
      $host: 'https://management.usgovcloudapi.net',
      endpoint: 'https://management.usgovcloudapi.net',
      credentialScopes: ['https://management.usgovcloudapi.net/.default'],
    });
    const session = await engine.openStaging(gov, OP);
    await session.query('SELECT [VALUE] AS value FROM [SQLSYSTEMVARIABLES] WHERE [PARM] = @p0', ['CONFIGURATIONMODE']);
    await session.close();
    const hosts = new Set(fake.plane.statements.map((s) => s.host));
    expect([...hosts].sort()).to.deep.equal([`${PROD_SERVER}.database.chinacloudapi.cn`, `${UAT_SERVER}.database.usgovcloudapi.net`]);
  });

  it('ends the restore window at the last log backup (sys.dm_database_backups), and a time after it is refused', async () => {
    const lastLog = new Date(Date.now() - 10 * 60_000).toISOString();
    fake.arm.database(UAT_SERVER, 'AxDB')!.content.lastLogBackup = lastLog;
    const window = await fake.engine().restorePoints(uat());
    expect(window.latest).to.equal(lastLog);
    expect(checkRestoreTime('azuat', { to: new Date(Date.now() - 2 * 60_000).toISOString() }, window).ok, 'after the last log backup').to.equal(false);
    expect(checkRestoreTime('azuat', { to: new Date(Date.now() - 20 * 60_000).toISOString() }, window).ok).to.equal(true);
  });

  it('exports as a Microsoft Entra user (ADPassword) and refuses a database over the import/export service limit before any request', async () => {
    const secrets: Record<string, string> = { TEST_STORAGE_KEY: 'k', TEST_SQL_ADMIN_PASSWORD: 'p' };
    const engine = fake.engine({ secret: (name) => secrets[name] });
    const entra = uatWith({
      importExport: {
        authenticationType: 'ADPassword',
        administratorLogin: 'dbmove-export@contoso.test',
        administratorPasswordEnv: 'TEST_SQL_ADMIN_PASSWORD',
        storageKeyType: 'SharedAccessKey',
        storageKeyEnv: 'TEST_STORAGE_KEY',
      },
    });
    await engine.copyToStaging(prod(), entra, OP, testContext());
    const uri = 'https://contosobackups.blob.core.windows.net/bacpacs/axdb-uat.bacpac';
    await engine.exportStaging(
      entra,
      OP,
      uri,
      {
        operationId: OP,
        createdAt: new Date().toISOString(),
        source: { environment: 'azuat', type: 'sandbox', engine: 'azure-sql' },
        versions: {},
        policy: { sources: [], elements: [] },
      },
      testContext(),
    );
    expect(fake.arm.of('POST', '/export')[0].body).to.include({ authenticationType: 'ADPassword', administratorLogin: 'dbmove-export@contoso.test' });
    // The export's long-running operation: its Azure-AsyncOperation polled, its result read at its Location.
    expect(fake.arm.of('GET').filter((r) => r.path.includes('/importExportAzureAsyncOperation/'))).to.have.length(3);
    expect(fake.arm.of('GET').filter((r) => r.path.includes('/importExportOperationResults/'))).to.have.length(1);

    fake.arm.database(UAT_SERVER, STG)!.content.usedBytes = 200 * GiB;
    const tooBig = await engine
      .exportStaging(
        entra,
        OP,
        uri,
        {
          operationId: OP,
          createdAt: '',
          source: { environment: 'azuat', type: 'sandbox', engine: 'azure-sql' },
          versions: {},
          policy: { sources: [], elements: [] },
        },
        testContext(),
      )
      .catch((e: Error) => e);
    expect((tooBig as Error).name).to.equal('UnsupportedByEngine');
    expect((tooBig as Error).message).to.match(/over the 150 GB Microsoft documents for the service.*SqlPackage/);
    expect(fake.arm.of('POST', '/export')).to.have.length(1);
  });

  it('refuses the managed-identity options of import/export in the catalog, saying why', () => {
    const envs = azureEnvironments();
    Object.assign((envs[1].database as { importExport: object }).importExport, { authenticationType: 'ManagedIdentity' });
    const refused = (() => {
      try {
        parseCatalog({ environments: envs }, '/virtual/environments.json');
      } catch (err) {
        return err as ConfigError;
      }
    })();
    expect(refused?.message).to.match(/ManagedIdentity is not supported: @azure\/arm-sql 10\.0\.0 .* requires a password/);
  });

  it('surfaces the code and message of a long-running operation that Azure reports Failed, and forgets it so the next attempt starts over', async () => {
    fake.arm.failOperationOn.set(STG, {
      code: 'OperationTimedOut',
      message: 'The operation timed out and automatically rolled back. Please retry the operation.',
    });
    const ctx = testContext();
    const failed = await fake
      .engine()
      .copyToStaging(prod(), uat(), OP, ctx)
      .catch((e: Error) => e);
    expect((failed as Error).message).to.match(/OperationTimedOut|timed out and automatically rolled back/);
    expect((ctx.saved.at(-1) as { lro: Record<string, string> }).lro).to.deep.equal({});
    // The next attempt drops the failed (Suspect) database and copies again.
    await fake.engine().copyToStaging(prod(), uat(), OP, testContext());
    expect(fake.arm.of('DELETE')).to.have.length(1);
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Online');
  });
});
