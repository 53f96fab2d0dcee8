import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../config/package-root';
import { ENGINE_CAPABILITIES } from '../engines/capabilities';
import { createDbmoveWorker } from '../worker/create-worker';
import { azureEnvironments, startAzureFake } from './support/azure-estate';
import { runCli } from './support/cli';
import { createTestEstate } from './support/estate';
import { startKind, waitForPhase } from './support/operations';
import { testServer } from './support/server';

/**
 * Import into an engine that cannot check a backup before it replaces anything (azure-sql,
 * sqlserver) is refused where it is asked for: the command line exits 2 before anything starts,
 * saying why and which engine imports; a client that starts the workflow anyway is refused at
 * PRECHECK with the same words. The Azure engine runs against the loopback ARM MOCK.
 */
describe('import into engines that cannot check a backup first', function () {
  this.timeout(60_000);

  it('every engine declares whether it imports, and the refusals say why', () => {
    expect(ENGINE_CAPABILITIES.local.backupImport).to.have.property('reads');
    expect(ENGINE_CAPABILITIES['azure-sql'].backupImport)
      .to.have.property('refused')
      .that.matches(/bacpac .* no dbmove manifest/);
    expect(ENGINE_CAPABILITIES.sqlserver.backupImport)
      .to.have.property('refused')
      .that.matches(/\.bak .* 255-character/);
  });

  it('the command line refuses it before anything starts (exit code 2), naming the engines that import', async () => {
    const estate = createTestEstate(500, 'import-refusal');
    estate.editCatalog((catalog) => {
      catalog.environments.push({ ...azureEnvironments({ prod: 'azprod-cli', uat: 'azuat-cli' })[1] });
      catalog.environments.push({
        name: 'sqldev-cli',
        type: 'sandbox',
        engine: 'sqlserver',
        database: { server: 'sql-dev01', database: 'AxDB', backupDirectory: 'D:\\Backups' },
      });
    });
    const backup = path.join(estate.home, 'uat.dbmove');
    fs.writeFileSync(backup, 'not read: the engine refuses first');
    for (const [target, engine] of [
      ['azuat-cli', 'azure-sql'],
      ['sqldev-cli', 'sqlserver'],
    ]) {
      const result = await runCli(estate, ['import', '--input', backup, '--target', target]);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.include(`The ${engine} engine cannot import a backup into ${target}`);
      expect(result.stderr).to.match(/dbmove import works on local \(a backup file written by `dbmove export`/);
    }
  });

  it('PRECHECK refuses it too, for a client that starts the workflow without the command line', async () => {
    const fake = await startAzureFake({ prod: 'azprod-imp', uat: 'azuat-imp' });
    try {
      const home = path.join(packageRoot(), '.tmp', 'tests', `import-refusal-${crypto.randomBytes(4).toString('hex')}`);
      fs.mkdirSync(home, { recursive: true });
      const catalogFile = path.join(home, 'environments.json');
      fs.writeFileSync(catalogFile, JSON.stringify({ environments: azureEnvironments({ prod: 'azprod-imp', uat: 'azuat-imp' }) }));
      const taskQueue = `test-import-${crypto.randomBytes(4).toString('hex')}`;
      const worker = await createDbmoveWorker({
        connection: testServer().nativeConnection,
        namespace: testServer().namespace ?? 'default',
        taskQueue,
        catalogFile,
        stateDir: path.join(home, 'state'),
        env: {},
        engines: { 'azure-sql': () => fake.engine() },
      });
      const status = await worker.runUntil(async () => {
        const handle = await startKind({ worker, taskQueue, run: (fn) => worker.runUntil(fn) }, 'import', {
          input: 'https://contosobackups.blob.core.windows.net/bacpacs/axdb.bacpac',
          target: 'azuat-imp',
        });
        return waitForPhase(handle, ['REFUSED', 'FAILED', 'AWAITING_SIGNOFF']);
      });
      expect(status.phase).to.equal('REFUSED');
      expect(JSON.stringify(status)).to.include('The azure-sql engine cannot import a backup into azuat-imp');
      expect(
        fake.arm.requests.filter((r) => r.method !== 'GET'),
        'nothing changed in Azure',
      ).to.deep.equal([]);
    } finally {
      await fake.stop();
    }
  });
});
