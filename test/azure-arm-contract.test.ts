import { expect } from 'chai';
import { shortOperationId } from '../engines/azure-sql/names';
import type { Marker } from '../workflows/types';
import { AzureFake, environment, PROD_SERVER, startAzureFake, testContext, UAT_SERVER } from './support/azure-estate';
import { DATABASES_API, example, OPERATIONS_API, RecordedRequest } from './support/fake-arm';

/**
 * Contract tests of the Azure SQL control plane: the real AzureSqlEngine and the real
 * @azure/arm-sql client (serialization, bearer token, long-running-operation polling) against
 * a MOCK of Azure Resource Manager on loopback (test/support/fake-arm.ts) that answers with
 * responses shaped like Microsoft's published examples (fixtures: test/fixtures/azure-sql/). They check what the engine sends: paths,
 * api-version, bodies shaped like the examples' requests; that polling runs to completion;
 * and that a retried activity resumes the same operation instead of starting a second one.
 * No Azure is reached; what only Azure can show is in test/live/azure.live.test.ts.
 */
const MANIFEST = {
  operationId: 'export-azprod-20260101t000000z-abcd',
  createdAt: '2026-01-01T00:00:00.000Z',
  source: { environment: 'azprod', type: 'production', engine: 'azure-sql' },
  versions: {},
  policy: { sources: ['export-scrub.json'], elements: [] },
};
const OP = 'refresh-contract-0001';
const STG = `AxDB_stg_${shortOperationId(OP)}`;
const PRE = `AxDB_pre_${shortOperationId(OP)}`;
const RB = `AxDB_rb_${shortOperationId(OP)}`;

const keys = (o: object | undefined) => Object.keys(o ?? {}).sort();

describe('Azure SQL control plane against Microsoft example responses (loopback ARM mock)', function () {
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

  function everyRequestAuthorisedAndVersioned(requests: RecordedRequest[]) {
    for (const r of requests) {
      expect(r.authorization, `${r.method} ${r.path}`).to.match(/^Bearer /);
      const wanted = r.path.endsWith('/operations') ? OPERATIONS_API : DATABASES_API;
      expect(r.apiVersion, `${r.method} ${r.path}`).to.equal(wanted);
    }
  }

  const polls = (kind: 'AzureAsyncOperation' | 'OperationResults', family = 'database') =>
    fake.arm.of('GET').filter((r) => r.path.includes(`/locations/${fake.arm.location}/${family}${kind}/`));

  it('COPY sends one PUT shaped like CreateDatabaseCopyMode.json, polls its Azure-AsyncOperation to Succeeded, reads the database, and reports percent complete', async () => {
    const engine = fake.engine();
    const ctx = testContext();
    const result = await engine.copyToStaging(prod(), uat(), OP, ctx);

    const puts = fake.arm.of('PUT');
    expect(puts).to.have.length(1);
    expect(puts[0].path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/databases/${STG}`);
    const published = example('CreateDatabaseCopyMode').parameters.parameters;
    expect(keys(puts[0].body)).to.deep.equal(keys(published)); // location, properties, sku
    expect(keys(puts[0].body.properties)).to.deep.equal(keys(published.properties)); // createMode, sourceDatabaseId
    expect(puts[0].body.properties).to.deep.equal({ createMode: 'Copy', sourceDatabaseId: fake.arm.databaseId(PROD_SERVER, 'AxDB') });
    expect(puts[0].body.sku).to.deep.equal({ name: 'S1' });
    // The catalog gives no location: the engine reads the target server's region (ServerGet.json).
    expect(fake.arm.of('GET', `/servers/${UAT_SERVER}`)).to.have.length(1);
    expect(puts[0].body.location).to.equal(fake.arm.location);

    // Long-running operation as Azure SQL runs one (AzureAsyncOperation.json): 202 with Azure-AsyncOperation
    // and Location; the SDK polls the Azure-AsyncOperation status (InProgress twice, then Succeeded)
    // and, for a PUT, reads the database itself at the end, never the Location.
    expect(polls('AzureAsyncOperation')).to.have.length(3);
    expect(polls('OperationResults')).to.deep.equal([]);
    const shape = (url: string) =>
      new URL(url, 'https://arm.invalid').pathname
        .replace(/\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/, '/{scope}')
        .replace(/\/locations\/[^/]+\//, '/locations/{region}/')
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}$/, '{id}');
    const published202 = example('DatabaseAzureAsyncOperation').responses['202'].headers!;
    expect(shape(polls('AzureAsyncOperation')[0].path)).to.equal(shape(published202['Azure-AsyncOperation']));
    const afterPut = fake.arm.requests.slice(fake.arm.requests.indexOf(puts[0]) + 1);
    const lastPoll = afterPut.lastIndexOf(polls('AzureAsyncOperation').at(-1)!);
    expect(afterPut[lastPoll + 1]).to.deep.include({ method: 'GET', path: `${fake.arm.serverPath(UAT_SERVER)}/databases/${STG}` });
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Online');
    expect(fake.arm.database(UAT_SERVER, STG)?.content).to.deep.equal(fake.arm.database(PROD_SERVER, 'AxDB')?.content);
    expect(fake.arm.database(PROD_SERVER, 'AxDB')?.status, 'source untouched').to.equal('Online');
    // Progress from ListDatabaseOperations.json's percentComplete, as heartbeats.
    expect(fake.arm.of('GET', `/databases/${STG}/operations`).length).to.be.greaterThan(0);
    expect(ctx.progressed.some((p) => p.percent > 0 && p.percent < 100)).to.equal(true);
    expect(ctx.progressed.at(-1)?.percent).to.equal(100);
    expect(result.resumed).to.equal(false);
    expect(result.staging.location).to.equal(`${UAT_SERVER}/${STG}`);
    everyRequestAuthorisedAndVersioned(fake.arm.requests);

    // What the next attempt would resume from: the polling URL, never a request body.
    const saved = ctx.saved.at(-1) as { engine: string; lro: Record<string, string> };
    expect(saved.engine).to.equal('azure-sql');
    expect(Object.keys(saved.lro)).to.deep.equal([`copy:${STG}`]);
    expect(saved.lro[`copy:${STG}`]).to.include('/databaseAzureAsyncOperation/');
  });

  it('a retried COPY resumes the saved operation from heartbeat details and never sends a second PUT', async () => {
    const engine = fake.engine();
    // Attempt 1 dies right after it saved the operation's state (worker crash, heartbeat timeout).
    const first = testContext({ dieAfterSaves: 1 });
    const died = await engine.copyToStaging(prod(), uat(), OP, first).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(died?.message).to.match(/attempt died/);
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Copying');
    expect(fake.arm.of('PUT')).to.have.length(1);

    // Attempt 2 gets attempt 1's last heartbeat details as resume state (as runStepActivity passes them).
    const second = testContext({ resumeState: first.saved.at(-1) });
    const result = await fake.engine().copyToStaging(prod(), uat(), OP, second);
    expect(result.resumed).to.equal(true);
    expect(fake.arm.of('PUT'), 'one copy only').to.have.length(1);
    expect(fake.arm.operationCount).to.equal(1);
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Online');
    expect(result.notes.join(' ')).to.match(/without starting a second copy/);
    // It resumed the saved poller, not the wait-for-the-database fallback: every poll went to the one operation.
    expect(second.logs.join(' ')).not.to.match(/waiting for the earlier attempt/);
    const polled = new Set(polls('AzureAsyncOperation').map((r) => r.path));
    expect(polled.size).to.equal(1);
  });

  it('a retried COPY whose state never reached a heartbeat waits for the database being copied instead of copying again', async () => {
    const first = testContext({ dieAfterSaves: 1 });
    await fake
      .engine()
      .copyToStaging(prod(), uat(), OP, first)
      .catch(() => undefined);
    // No resume state: the heartbeat carrying it was lost with the worker.
    const second = testContext();
    const result = await fake.engine().copyToStaging(prod(), uat(), OP, second);
    expect(result.resumed).to.equal(true);
    expect(fake.arm.of('PUT')).to.have.length(1);
    expect(second.logs.join(' ')).to.match(/is Copying: waiting/);
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Online');
  });

  it('COPY drops a failed (Suspect) staging database of an earlier attempt and copies again', async () => {
    fake.arm.addDatabase(UAT_SERVER, STG, { broken: true }).status = 'Suspect';
    await fake.engine().copyToStaging(prod(), uat(), OP, testContext());
    expect(fake.arm.of('DELETE', `/databases/${STG}`)).to.have.length(1);
    expect(fake.arm.of('PUT')).to.have.length(1);
    expect(fake.arm.database(UAT_SERVER, STG)?.content).to.deep.equal(fake.arm.database(PROD_SERVER, 'AxDB')?.content);
  });

  it('MARKER reads the server time and the database (GET) and refuses a time before earliestRestoreDate', async () => {
    const ctx = testContext();
    const marker = await fake.engine().markPointInTime(uat(), OP, ctx);
    expect(fake.arm.of('GET', `/servers/${UAT_SERVER}/databases/AxDB`)).to.have.length(1);
    expect(Date.parse(marker.at)).to.be.closeTo(Date.now(), 60_000);
    expect(marker.restorePoint).to.equal(`${UAT_SERVER}/AxDB@${marker.at}`);
    expect((ctx.saved.at(-1) as { marker: Marker }).marker).to.deep.equal(marker);
    // A retry returns the saved marker, without asking again.
    const again = await fake.engine().markPointInTime(uat(), OP, testContext({ resumeState: ctx.saved.at(-1) }));
    expect(again).to.deep.equal(marker);
    expect(fake.arm.of('GET', `/servers/${UAT_SERVER}/databases/AxDB`)).to.have.length(1);

    fake.arm.database(UAT_SERVER, 'AxDB')!.earliestRestoreDate = new Date(Date.now() + 3_600_000).toISOString();
    const refused = await fake
      .engine()
      .markPointInTime(uat(), 'refresh-contract-0002', testContext())
      .catch((e: Error) => e);
    expect((refused as Error).message).to.match(/cannot be restored to .* backups reach back only to/);
  });

  it('SWAP renames with two POST .../move requests shaped like RenameDatabase.json; a retry after the first finishes the second', async () => {
    await fake.engine().copyToStaging(prod(), uat(), OP, testContext());
    const uatContent = fake.arm.database(UAT_SERVER, 'AxDB')!.content;
    // The second rename fails once: the attempt dies between the two renames.
    fake.arm.failOnce.set(`POST /databases/${STG}/move`, { status: 503, code: 'ServiceUnavailable' });
    const failed = await fake
      .engine()
      .swapIn(uat(), OP, testContext())
      .catch((e: Error) => e);
    expect((failed as Error).message).to.match(/HTTP 503/);
    expect(fake.arm.names(UAT_SERVER)).to.deep.equal([PRE, STG].sort());

    const swap = await fake.engine().swapIn(uat(), OP, testContext());
    const moves = fake.arm.of('POST', '/move');
    const published = example('RenameDatabase').parameters.parameters;
    for (const m of moves) expect(keys(m.body)).to.deep.equal(keys(published));
    expect(moves.map((m) => [m.path.split('/').at(-2), m.body.id.split('/').at(-1)])).to.deep.equal([
      ['AxDB', PRE],
      [STG, 'AxDB'],
      [STG, 'AxDB'],
    ]);
    expect(moves[0].body.id).to.equal(fake.arm.databaseId(UAT_SERVER, PRE));
    expect(swap.resumed).to.equal(true);
    expect(fake.arm.database(UAT_SERVER, PRE)?.content).to.equal(uatContent);
    expect(fake.arm.database(UAT_SERVER, 'AxDB')?.content).to.deep.equal(fake.arm.database(PROD_SERVER, 'AxDB')?.content);
    everyRequestAuthorisedAndVersioned(fake.arm.requests);
  });

  it('rollback after SWAP: point-in-time restore shaped like CreateDatabasePITRMode.json of the aside database to the marker, then the rename swap', async () => {
    const engine = fake.engine();
    const marker = await engine.markPointInTime(uat(), OP, testContext());
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    const uatContent = structuredClone(fake.arm.database(UAT_SERVER, 'AxDB')!.content);
    await engine.swapIn(uat(), OP, testContext());
    const restored = await engine.restoreToMarker(uat(), marker, OP, testContext());

    const pitr = fake.arm.of('PUT').at(-1)!;
    expect(pitr.path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/databases/${RB}`);
    const published = example('CreateDatabasePITRMode').parameters.parameters;
    // createMode, restorePointInTime, sourceDatabaseId as published; plus the replaced database's max size and compute size.
    expect(keys(pitr.body.properties)).to.deep.equal([...keys(published.properties), 'maxSizeBytes'].sort());
    expect(pitr.body.properties.maxSizeBytes).to.equal(250 * 1024 ** 3);
    expect(pitr.body.sku).to.deep.equal({ name: 'S1' });
    expect(pitr.body.properties.createMode).to.equal('PointInTimeRestore');
    expect(pitr.body.properties.sourceDatabaseId).to.equal(fake.arm.databaseId(UAT_SERVER, PRE));
    expect(Date.parse(pitr.body.properties.restorePointInTime)).to.equal(Date.parse(marker.at));
    // The live name holds the restored database; this operation's copy went back to the staging name.
    expect(fake.arm.database(UAT_SERVER, 'AxDB')?.content).to.deep.equal(uatContent);
    expect(fake.arm.database(UAT_SERVER, 'AxDB')?.createMode).to.equal('PointInTimeRestore');
    expect(fake.arm.names(UAT_SERVER)).to.deep.equal(['AxDB', PRE, STG].sort());
    expect(restored.notes.join(' ')).to.match(/point-in-time restore/);

    // A retry of the finished rollback changes nothing.
    const before = fake.arm.requests.filter((r) => r.method !== 'GET').length;
    expect((await engine.restoreToMarker(uat(), marker, OP, testContext())).resumed).to.equal(true);
    expect(fake.arm.requests.filter((r) => r.method !== 'GET').length).to.equal(before);

    // Cleanup: staging deleted (DELETE, 202 polled to 200), the live name untouched.
    const removed = await engine.dropStaging(uat(), OP);
    expect(removed.map((h) => h.location)).to.deep.equal([`${UAT_SERVER}/${STG}`]);
    expect(fake.arm.of('DELETE').map((r) => r.path.split('/').at(-1))).to.deep.equal([STG]);
    expect(fake.arm.names(UAT_SERVER)).to.deep.equal(['AxDB', PRE].sort());
  });

  it('rollback restores a dropped aside database (createMode Restore with restorableDroppedDatabaseId from the server list)', async () => {
    const engine = fake.engine();
    const marker = await engine.markPointInTime(uat(), OP, testContext());
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    const uatContent = structuredClone(fake.arm.database(UAT_SERVER, 'AxDB')!.content);
    await engine.swapIn(uat(), OP, testContext());
    // Someone deleted the aside database before the rollback: only its restorable dropped backup is left.
    const aside = fake.arm.database(UAT_SERVER, PRE)!;
    fake.arm.databases.delete(`${UAT_SERVER}/${PRE}`);
    fake.arm.dropped.push({ ...aside, deletionDate: new Date().toISOString(), id: `${fake.arm.serverPath(UAT_SERVER)}/restorableDroppedDatabases/${PRE},1` });
    fake.arm.requests.length = 0;

    await engine.restoreToMarker(uat(), marker, OP, testContext());
    expect(fake.arm.of('GET', '/restorableDroppedDatabases')).to.have.length(1);
    const put = fake.arm.of('PUT')[0];
    expect(put.body.properties.createMode).to.equal('Restore');
    expect(put.body.properties.restorableDroppedDatabaseId).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/restorableDroppedDatabases/${PRE},1`);
    expect(fake.arm.database(UAT_SERVER, 'AxDB')?.content).to.deep.equal(uatContent);
  });

  it('point-in-time restore operation: PITR of the live database inside its window, else the dropped database covering the time (as listed without earliestRestoreDate, like the published example)', async () => {
    const engine = fake.engine();
    const live = fake.arm.database(UAT_SERVER, 'AxDB')!;
    const inside = new Date(Date.now() - 86_400_000).toISOString();
    const r1 = await engine.restoreToStaging(uat(), inside, OP, testContext());
    const [pitr] = fake.arm.of('PUT');
    expect(pitr.body.properties).to.deep.equal({
      createMode: 'PointInTimeRestore',
      sourceDatabaseId: fake.arm.databaseId(UAT_SERVER, 'AxDB'),
      restorePointInTime: inside,
      maxSizeBytes: live.maxSizeBytes,
    });
    expect(r1.restoredTo).to.equal(inside);

    // A time before the live database existed: an earlier refresh replaced it, its aside was dropped.
    const before = new Date(Date.parse(live.earliestRestoreDate!) - 86_400_000).toISOString();
    const droppedId = `${fake.arm.serverPath(UAT_SERVER)}/restorableDroppedDatabases/AxDB_pre_0123456789,1`;
    fake.arm.dropped.push({
      ...structuredClone(live),
      name: 'AxDB_pre_0123456789',
      content: { older: true },
      earliestRestoreDate: undefined, // as Microsoft's list example: the engine must work without it
      createdAt: new Date(Date.parse(before) - 86_400_000).toISOString(),
      deletionDate: live.earliestRestoreDate!,
      id: droppedId,
    });
    await engine.restoreToStaging(uat(), before, 'restore-contract-0002', testContext());
    const restore = fake.arm.of('PUT').at(-1)!;
    expect(restore.body.properties).to.deep.equal({
      createMode: 'Restore',
      restorableDroppedDatabaseId: droppedId,
      restorePointInTime: before,
      maxSizeBytes: live.maxSizeBytes,
    });
    expect(fake.arm.database(UAT_SERVER, `AxDB_stg_${shortOperationId('restore-contract-0002')}`)?.content).to.deep.equal({ older: true });
  });

  it('sign-off deletes staging and aside databases (DELETE per DeleteDatabase.json: 202 polled to 200, 204 when absent)', async () => {
    const engine = fake.engine();
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    await engine.swapIn(uat(), OP, testContext());
    expect((await engine.holdings(uat(), OP)).map((h) => h.kind)).to.deep.equal(['aside']);
    const released = await engine.releaseHoldings(uat(), OP);
    expect(released.map((h) => h.location)).to.deep.equal([`${UAT_SERVER}/${PRE}`]);
    const deletes = fake.arm.of('DELETE');
    expect(deletes.map((d) => d.path)).to.deep.equal([`${fake.arm.serverPath(UAT_SERVER)}/databases/${PRE}`]);
    expect(fake.arm.names(UAT_SERVER)).to.deep.equal(['AxDB']);
    expect(fake.arm.dropped.map((d) => d.name)).to.deep.equal([PRE]);
    // Nothing left: a second sign-off sends no DELETE.
    await engine.releaseHoldings(uat(), OP);
    expect(fake.arm.of('DELETE')).to.have.length(1);
  });

  it('export sends POST .../export shaped like ExportDatabase.json with secrets read from the environment, never saved', async () => {
    const secrets: Record<string, string> = { TEST_STORAGE_KEY: 'storage-key-secret-value', TEST_SQL_ADMIN_PASSWORD: 'admin-password-secret-value' };
    const engine = fake.engine({ secret: (name) => secrets[name] });
    await engine.copyToStaging(prod(), uat(), OP, testContext());
    const ctx = testContext();
    const uri = 'https://contosobackups.blob.core.windows.net/bacpacs/axdb-uat.bacpac';
    const result = await engine.exportStaging(uat(), OP, uri, MANIFEST, ctx);
    const [post] = fake.arm.of('POST', '/export');
    expect(post.path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/databases/${STG}/export`);
    expect(keys(post.body)).to.deep.equal(keys(example('ExportDatabase').parameters.parameters));
    expect(post.body).to.include({
      storageKeyType: 'StorageAccessKey',
      storageKey: secrets.TEST_STORAGE_KEY,
      storageUri: uri,
      administratorLogin: 'dbmoveadmin',
      administratorLoginPassword: secrets.TEST_SQL_ADMIN_PASSWORD,
      authenticationType: 'Sql',
    });
    expect(result.destination).to.equal(uri);
    const everythingSaved = JSON.stringify([ctx.saved, ctx.progressed, ctx.logs, result]);
    for (const secret of Object.values(secrets)) expect(everythingSaved).not.to.include(secret);

    const missing = await fake
      .engine()
      .exportStaging(uat(), OP, uri, MANIFEST, testContext())
      .catch((e: Error) => e);
    expect((missing as Error).name).to.equal('MissingSecret');
    expect((missing as Error).message).to.include('TEST_STORAGE_KEY');
  });

  it('import sends POST .../servers/{server}/import shaped like ImportNewDatabase.json into the staging name', async () => {
    const secrets: Record<string, string> = { TEST_STORAGE_KEY: 'k', TEST_SQL_ADMIN_PASSWORD: 'p' };
    const engine = fake.engine({ secret: (name) => secrets[name] });
    const uri = 'https://contosobackups.blob.core.windows.net/bacpacs/axdb-prod.bacpac';
    await engine.importToStaging(uat(), uri, OP, testContext());
    const [post] = fake.arm.of('POST', '/import');
    expect(post.path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/import`);
    expect(keys(post.body)).to.deep.equal([...keys(example('ImportNewDatabase').parameters.parameters), 'serviceObjectiveName'].sort());
    expect(post.body).to.include({ databaseName: STG, storageUri: uri, serviceObjectiveName: 'S1' });
    expect(fake.arm.database(UAT_SERVER, STG)?.status).to.equal('Online');
    const bad = await engine.importToStaging(uat(), 'file:///tmp/x.bacpac', 'refresh-contract-0003', testContext()).catch((e: Error) => e);
    expect((bad as Error).message).to.match(/not a blob URI/);
  });

  it('a copy across subscriptions is refused before any request', async () => {
    const other = environment('azprod', [
      {
        name: 'azprod',
        type: 'production',
        engine: 'azure-sql',
        database: { subscriptionId: '99999999-1111-2222-3333-444444444444', resourceGroup: 'rg', server: PROD_SERVER, database: 'AxDB' },
      },
    ]);
    const refused = await fake
      .engine()
      .copyToStaging(other, uat(), OP, testContext())
      .catch((e: Error) => e);
    expect((refused as Error).name).to.equal('UnsupportedByEngine');
    expect(fake.arm.requests).to.deep.equal([]);
  });
});
