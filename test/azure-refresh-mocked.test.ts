import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide } from '../client/operations';
import { shortOperationId } from '../engines/azure-sql/names';
import { packageRoot } from '../config/package-root';
import { createDbmoveWorker } from '../worker/create-worker';
import type { OperationResult } from '../workflows/types';
import { AzureFake, azureEnvironments, PROD_SERVER, startAzureFake, UAT_SERVER } from './support/azure-estate';
import { startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';

/**
 * The unchanged refresh workflow on the real Temporal dev server, for a catalog whose
 * environments use the azure-sql engine. MOCKED AZURE: the engine's ARM client talks to the
 * loopback ARM mock (Microsoft's example responses) and its T-SQL sessions to the recording
 * data plane; everything above the engine (workflow, activities, heartbeats, policies) is real.
 */
const PASSWORDS = {
  TEST_AXDBADMIN_PASSWORD: 'axdbadmin-P4ss;]--',
  TEST_AXRUNTIMEUSER_PASSWORD: "runtime-'P4ss'",
  TEST_AXMRRUNTIMEUSER_PASSWORD: 'mr-P4ss',
};

describe('refresh workflow on Azure SQL environments (mocked Azure: loopback ARM + recording T-SQL)', function () {
  this.timeout(120_000);
  let fake: AzureFake;

  beforeEach(async () => {
    fake = await startAzureFake();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('runs PRECHECK to sign-off with no workflow change: copy, scrub, sync, post-config, verify, rename swap, cleanup', async () => {
    const home = path.join(packageRoot(), '.tmp', 'tests', `azure-${crypto.randomBytes(4).toString('hex')}`);
    fs.mkdirSync(home, { recursive: true });
    const catalogFile = path.join(home, 'environments.json');
    fs.writeFileSync(catalogFile, JSON.stringify({ environments: azureEnvironments() }, null, 2));
    const taskQueue = `test-azure-${crypto.randomBytes(4).toString('hex')}`;
    const worker = await createDbmoveWorker({
      connection: testServer().nativeConnection,
      namespace: testServer().namespace ?? 'default',
      taskQueue,
      catalogFile,
      stateDir: path.join(home, 'state'),
      env: PASSWORDS,
      engines: { 'azure-sql': () => fake.engine() },
    });
    const prodContent = structuredClone(fake.arm.database(PROD_SERVER, 'AxDB')!.content);
    const { status, result, operationId } = await worker.runUntil(async () => {
      const handle = await startRefresh({ worker, taskQueue, run: (fn) => worker.runUntil(fn) }, { source: 'azprod', target: 'azuat' });
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
      expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-8))).to.equal('AWAITING_SIGNOFF');
      await decide(handle, 'sign-off', { by: 'tester' });
      return { status: awaiting, result: (await handle.result()) as OperationResult, operationId: handle.workflowId };
    });
    expect(result.outcome).to.equal('completed');
    expect(status.phase).to.equal('AWAITING_SIGNOFF');
    const op = shortOperationId(result.operationId ?? operationId);

    // Control plane: one copy of prod onto uat's server, two renames, and the aside database deleted at sign-off.
    const puts = fake.arm.of('PUT');
    expect(puts).to.have.length(1);
    expect(puts[0].path).to.equal(`${fake.arm.serverPath(UAT_SERVER)}/databases/AxDB_stg_${op}`);
    expect(puts[0].body.properties.createMode).to.equal('Copy');
    expect(fake.arm.of('POST', '/move').map((r) => r.body.id.split('/').at(-1))).to.deep.equal([`AxDB_pre_${op}`, 'AxDB']);
    expect(fake.arm.of('DELETE').map((r) => r.path.split('/').at(-1))).to.deep.equal([`AxDB_pre_${op}`]);
    expect(fake.arm.names(UAT_SERVER)).to.deep.equal(['AxDB']);
    expect(fake.arm.unexpected).to.deep.equal([]);

    // Data plane: the source was only read; SCRUB, SYNC and POSTCONFIG wrote to staging only.
    expect(fake.arm.database(PROD_SERVER, 'AxDB')!.content).to.deep.equal(prodContent);
    const writes = fake.plane.statements.filter((s) => !s.sql.startsWith('SELECT'));
    expect(writes.length).to.be.greaterThan(10);
    for (const w of writes) expect(w.database, w.sql).to.equal(`AxDB_stg_${op}`);
    expect(writes.some((w) => w.sql === 'TRUNCATE TABLE [DOCUVALUE]')).to.equal(true);
    expect(writes.some((w) => w.sql.startsWith('ALTER TABLE [CUSTTABLE] ADD [CONTOSOLOYALTYTIER]'))).to.equal(true);
    const live = fake.arm.database(UAT_SERVER, 'AxDB')!;
    expect(live.content.schema.tables.find((t: { name: string }) => t.name === 'CUSTTABLE').columns.map((c: { name: string }) => c.name)).to.include(
      'CONTOSOLOYALTYTIER',
    );
    // The live uat carries uat's identity in its resource tags (PATCHed onto staging before the rename), never in a table.
    expect(live.tags).to.include({ 'dbmove-environment': 'azuat', 'dbmove-environment-type': 'sandbox', 'dbmove-operation': result.operationId });
    const patches = fake.arm.of('PATCH');
    expect(patches.map((r) => r.path.split('/').at(-1))).to.deep.equal([`AxDB_stg_${op}`]);
    // Production's database users were dropped (dbo kept) and uat's own created, with F&O's roles and the passwords as parameters only.
    expect(live.content.databaseUsers).to.deep.equal(['dbo', 'axdbadmin', 'axruntimeuser', 'axmrruntimeuser']);
    expect(live.content.roles.db_owner).to.deep.equal(['axdbadmin']);
    expect(live.content.roles.ReportingIntegrationUser).to.deep.equal(['axmrruntimeuser']);
    expect(live.content.changeTrackingOn).to.equal(true);
    for (const w of fake.plane.statements) for (const secret of Object.values(PASSWORDS)) expect(w.sql).not.to.include(secret);
    // Admin is uat's administrator, with the SID F&O gave it in uat (the same sign-in).
    expect(live.content.admin.networkAlias).to.equal('uat-admin@contoso.test');
  });
});
