import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import type { OperationStatus } from '../workflows/types';
import { runCli, writeTemporalConfig } from './support/cli';
import { fileSha256, query, tableChecksums, TestEstate } from './support/estate';
import { startKind, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import { estateWithWorker } from './support/fixture';
import { createTestWorker, TestWorker } from './support/worker';

const BUSINESS = ['CUSTTABLE', 'VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];

async function signedOff(handle: Awaited<ReturnType<typeof startKind>>): Promise<OperationStatus> {
  const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
  expect(status.phase, JSON.stringify(status.logs.slice(-6))).to.equal('AWAITING_SIGNOFF');
  await decide(handle, 'sign-off', { by: 'tester' });
  await handle.result();
  return getStatus(testServer().client, handle);
}

async function refused(handle: Awaited<ReturnType<typeof startKind>>): Promise<OperationStatus> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(WorkflowFailedError);
  return getStatus(testServer().client, handle);
}

describe('export, import and point-in-time restore', function () {
  this.timeout(180_000);
  let estate: TestEstate;
  let worker: TestWorker;
  let backup: string;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(4000, 'backups'));
    backup = path.join(estate.home, 'prod.dbmove');
  });

  it("export then import gives the source's business data and none of the scrubbed elements; a restore goes back to before the import", async () => {
    const prod = estate.database('prod');
    const train = estate.database('train');
    const prodFile = fileSha256(prod);
    const prodBusiness = tableChecksums(prod, BUSINESS);
    const trainBefore = tableChecksums(train);

    await worker.run(async () => {
      const exported = await signedOff(await startKind(worker, 'export', { source: 'prod', output: backup }));
      expect(exported.steps.map((s) => [s.name, s.status])).to.deep.equal(['PRECHECK', 'COPY', 'SCRUB', 'VERIFY', 'PACKAGE'].map((n) => [n, 'completed']));
      expect(fileSha256(prod), 'the source is never written').to.equal(prodFile);
      expect(fs.existsSync(backup)).to.equal(true);
      expect(fs.readdirSync(path.join(path.dirname(prod), '.dbmove', 'prod', 'staging')), 'the temporary copy is removed').to.deep.equal([]);
      const header = fs.readFileSync(backup).subarray(0, 4096).toString('utf8').split('\n');
      expect(header[0]).to.equal('DBMOVE-BACKUP 2');
      const manifest = JSON.parse(header[1]);
      expect(manifest.source).to.deep.equal({ environment: 'prod', type: 'production', engine: 'local' });
      expect(manifest.versions).to.deep.equal({ applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' });
      expect(manifest.policy.elements).to.include.members(['email-addresses', 'smtp-password', 'disable-users', 'withhold-batch-jobs']);

      const imported = await signedOff(await startKind(worker, 'import', { input: backup, target: 'train' }));
      expect(imported.steps.every((s) => s.status === 'completed')).to.equal(true);
      const marker = imported.marker!;
      const afterImport = tableChecksums(train, BUSINESS);
      expect(afterImport.VENDTABLE).to.deep.equal(prodBusiness.VENDTABLE);
      expect(afterImport.GENERALJOURNALACCOUNTENTRY).to.deep.equal(prodBusiness.GENERALJOURNALACCOUNTENTRY);
      expect(afterImport.CUSTTABLE).to.deep.equal(prodBusiness.CUSTTABLE);
      // None of the scrubbed elements, and train's own settings after the import activities.
      expect(query(train, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
      for (const t of ['BATCHJOBHISTORY', 'SYSEMAILSMTPPASSWORD', 'PRINTMGMTSETTINGS', 'DOCUVALUE', 'SYSCLIENTSESSIONS'])
        expect(query(train, `SELECT COUNT(*) AS n FROM "${t}"`)[0], t).to.deep.equal({ n: 0 });
      expect(query(train, "SELECT NETWORKALIAS AS a FROM USERINFO WHERE ID = 'Admin'")).to.deep.equal([{ a: 'train-admin@contoso.test' }]);
      expect(query<{ ID: string }>(train, 'SELECT ID FROM USERINFO WHERE ENABLE = 1 ORDER BY ID').map((r) => r.ID)).to.deep.equal([
        'Admin',
        'FRServiceUser',
        'RetailServiceAccount',
        'carol',
      ]);
      expect(query(train, 'SELECT DISTINCT SERVERID AS s FROM BATCHSERVERGROUP')).to.deep.equal([{ s: 'Batch:TRAIN-BATCH-01' }]);

      // The import's marker is kept as a restore point; restoring to it brings train back.
      writeTemporalConfig(estate, worker.taskQueue);
      const points = await runCli(estate, ['restore-points', 'train', '--json']);
      expect(points.code, points.stderr).to.equal(0);
      const window = JSON.parse(points.stdout);
      expect(window.points.map((p: { at: string }) => p.at)).to.include(marker.at);
      const restored = await signedOff(await startKind(worker, 'restore', { target: 'train', to: marker.at }));
      expect(restored.steps.map((s) => s.name)).to.deep.equal(['PRECHECK', 'MARKER', 'RESTORE', 'NOTIFY', 'SWAP']);
      const afterRestore = tableChecksums(train);
      for (const table of Object.keys(trainBefore)) expect(afterRestore[table], table).to.deep.equal(trainBefore[table]);
      expect(fileSha256(prod)).to.equal(prodFile);
    });
  });

  it('runs export, import and a restore to before the import through the command line', async () => {
    const prod = estate.database('prod');
    const train = estate.database('train');
    const prodFile = fileSha256(prod);
    const trainBefore = tableChecksums(train);
    writeTemporalConfig(estate, worker.taskQueue);
    const cli = async (args: string[]) => {
      const run = await runCli(estate, args);
      expect(run.code, `dbmove ${args.join(' ')}: ${run.stderr}`).to.equal(0);
      return JSON.parse(run.stdout);
    };
    await worker.run(async () => {
      const exported = await cli(['export', '--source', 'prod', '--output', backup, '--wait', '--json']);
      expect(exported.phase).to.equal('AWAITING_SIGNOFF');
      expect((await cli(['sign-off', exported.operationId, '--json'])).phase).to.equal('COMPLETED');

      const imported = await cli(['import', '--input', backup, '--target', 'train', '--wait', '--json']);
      expect(imported.phase).to.equal('AWAITING_SIGNOFF');
      expect(tableChecksums(train, ['VENDTABLE']).VENDTABLE).to.deep.equal(tableChecksums(prod, ['VENDTABLE']).VENDTABLE);
      expect((await cli(['sign-off', 'train', '--json'])).phase).to.equal('COMPLETED');

      const restored = await cli(['restore', '--target', 'train', '--to', imported.marker.at, '--wait', '--json']);
      expect(restored.phase).to.equal('AWAITING_SIGNOFF');
      expect((await cli(['sign-off', 'train', '--json'])).phase).to.equal('COMPLETED');
    });
    const after = tableChecksums(train);
    for (const table of Object.keys(trainBefore)) expect(after[table], table).to.deep.equal(trainBefore[table]);
    expect(fileSha256(prod), 'the source is never written').to.equal(prodFile);
  });

  it('rolls back an import after SWAP: train is as it was', async () => {
    const train = estate.database('train');
    const before = tableChecksums(train);
    await worker.run(async () => {
      await signedOff(await startKind(worker, 'export', { source: 'prod', output: backup }));
      const handle = await startKind(worker, 'import', { input: backup, target: 'train' });
      await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      expect(tableChecksums(train, ['VENDTABLE']).VENDTABLE).not.to.deep.equal(before.VENDTABLE);
      await decide(handle, 'rollback', { by: 'tester', note: 'wrong backup' });
      const status = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      expect(status.phase).to.equal('ROLLED_BACK');
      expect(tableChecksums(train)).to.deep.equal(before);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  describe('bad input is a clear error and the target stays untouched', () => {
    const estateChecksums = (e: TestEstate) => ['prod', 'uat', 'train'].map((n) => fileSha256(e.database(n)));

    async function exportOnce(): Promise<void> {
      await signedOff(await startKind(worker, 'export', { source: 'prod', output: backup }));
    }

    const fileCases: [string, (file: string) => void, RegExp][] = [
      [
        'a corrupted file',
        (f) => {
          const b = fs.readFileSync(f);
          b[b.length - 100] ^= 0xff;
          fs.writeFileSync(f, b);
        },
        /payload checksum does not match/,
      ],
      ['a truncated file', (f) => fs.truncateSync(f, fs.statSync(f).size - 1000), /truncated or was altered/],
      ['a foreign file', (f) => fs.writeFileSync(f, 'PK\u0003\u0004 this is a zip, not a backup'), /does not start with the dbmove backup header/],
    ];
    for (const [title, spoil, message] of fileCases) {
      it(`refuses ${title}, in the command line (exit 2) and in PRECHECK`, async () => {
        writeTemporalConfig(estate, worker.taskQueue);
        await worker.run(async () => {
          await exportOnce();
          spoil(backup);
          const before = estateChecksums(estate);
          const cli = await runCli(estate, ['import', '--input', backup, '--target', 'train']);
          expect(cli.code).to.equal(2);
          expect(cli.stderr).to.match(message);
          const status = await refused(await startKind(worker, 'import', { input: backup, target: 'train' }));
          expect(status.phase).to.equal('REFUSED');
          expect(status.checks.find((c) => c.name === 'backup-valid')?.message).to.match(message);
          expect(estateChecksums(estate)).to.deep.equal(before);
        });
      });
    }

    it('refuses a backup from another application release', async () => {
      await worker.run(async () => {
        await exportOnce();
        // train's deployment moved on to 10.0.42 (its catalog declares it); the backup says where prod's came from.
        estate.editCatalog((c) => (c.environments.find((e: any) => e.name === 'train').versions.applicationRelease = '10.0.42'));
        const before = estateChecksums(estate);
        const status = await refused(await startKind(worker, 'import', { input: backup, target: 'train' }));
        expect(status.checks.find((c) => c.name === 'application-release')?.message).to.match(
          /the backup of prod runs 10\.0\.41 \(the backup's manifest, from declared in environments\.json\), train runs 10\.0\.42 \(declared in environments\.json\)/,
        );
        expect(estateChecksums(estate)).to.deep.equal(before);
      });
    });

    it('refuses an unknown environment and a time in the future (exit 2, bad usage) and a production target (exit 1, refused), nothing started', async () => {
      writeTemporalConfig(estate, worker.taskQueue);
      await worker.run(exportOnce);
      const before = estateChecksums(estate);
      const cases: [string[], RegExp, number?][] = [
        [['import', '--input', backup, '--target', 'qa'], /Unknown environment "qa"/],
        [['import', '--input', backup, '--target', 'prod'], /prod is a production environment/, 1],
        [['restore', '--target', 'prod', '--to', '-1h'], /prod is a production environment/, 1],
        [['restore', '--target', 'train', '--to', '2999-01-01T00:00:00Z'], /is in the future/],
        [['restore', '--target', 'train', '--to', 'yesterday'], /is not a time/],
        [['restore', '--target', 'train', '--to', '2001-01-01T00:00:00Z'], /Nothing is kept for train yet|before the earliest state kept for train/],
        [['export', '--source', 'prod', '--output', backup], /already exists; an export never overwrites a file/],
        [['export', '--source', 'nowhere', '--output', `${backup}.2`], /Unknown environment "nowhere"/],
      ];
      for (const [args, message, code = 2] of cases) {
        const cli = await runCli(estate, args);
        expect(cli.code, args.join(' ')).to.equal(code);
        expect(cli.stderr, args.join(' ')).to.match(message);
      }
      // The same refusals hold inside the workflow, for callers that bypass the command line.
      const second = await createTestWorker(estate);
      await second.run(async () => {
        const future = await refused(await startKind(second, 'restore', { target: 'train', to: '2999-01-01T00:00:00Z' }));
        expect(future.checks.find((c) => c.name === 'restore-time')?.message).to.match(/in the future/);
        const production = await refused(await startKind(second, 'import', { input: backup, target: 'prod' }));
        expect(production.checks.find((c) => c.name === 'target-not-production')?.ok).to.equal(false);
        const outside = await refused(await startKind(second, 'restore', { target: 'train', to: '2001-01-01T00:00:00Z' }));
        expect(outside.checks.find((c) => c.name === 'restore-time')?.message).to.match(
          /Nothing is kept for train yet|before the earliest state kept for train/,
        );
      });
      expect(estateChecksums(estate)).to.deep.equal(before);
    });
  });
});
