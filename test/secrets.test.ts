import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './support/cli';
import { createTestEstate, fileSha256, query, TestEstate } from './support/estate';
import { exportHistory, secretFindings } from './support/history';
import { testServer } from './support/server';
import { spawnWorker, WorkerProcess } from './support/worker-process';

/**
 * No secret in history or logs: every operation kind runs through the real command line
 * against a real `dbmove worker` process whose environment holds known secret values (SMTP
 * passwords the catalog names, a Temporal API key, an Azure client secret). Then every
 * workflow history, `dbmove logs`, `dbmove status --json`, the worker's own log and every
 * command's output are scanned for each value, raw and in base64. The same run checks that
 * each operation's source (prod, the backup file, the restore point) was never written.
 */

const SECRETS: Record<string, string> = {
  UAT_SMTP_PASSWORD: 'uat-smtp-S3cr3t-4c1d9e',
  TRAIN_SMTP_PASSWORD: 'train-smtp-S3cr3t-77aa01',
  // In the environment but not used to connect (temporal.config.json names another variable): the dev server has no TLS.
  TEMPORAL_API_KEY: 'tmprl-apikey-Z9x8c7v6b5n4m3',
  AZURE_CLIENT_SECRET: 'azure-client-secret-Qw3rTy~77Zp',
  DBMOVE_WEBHOOK_SECRET: 'webhook-hmac-secret-0f9e8d7c',
};

describe('no secret reaches a workflow history or a log', function () {
  this.timeout(240_000);
  let estate: TestEstate;
  let worker: WorkerProcess | undefined;

  afterEach(async () => {
    await worker?.stop('SIGINT');
  });

  it('refresh, export, import and restore with known secrets configured: none appears in histories, logs or output; every source is unchanged', async () => {
    estate = createTestEstate(1500, 'secrets');
    const taskQueue = `secrets-${Date.now().toString(36)}`;
    fs.writeFileSync(
      path.join(estate.home, 'temporal.config.json'),
      JSON.stringify({ address: testServer().address, namespace: 'default', taskQueue, apiKeyEnv: 'DBMOVE_TEST_NO_API_KEY' }),
    );
    estate.editCatalog((c) => {
      const uat = c.environments.find((e: any) => e.name === 'uat');
      uat.mail.smtpPasswordEnv = 'UAT_SMTP_PASSWORD';
      const train = c.environments.find((e: any) => e.name === 'train');
      train.mail = { smtpRelayServer: 'smtp.train.contoso.test', smtpPort: 587, smtpUserName: 'train-mailer', smtpPasswordEnv: 'TRAIN_SMTP_PASSWORD' };
    });
    worker = spawnWorker(estate, undefined, { DBMOVE_LOG_LEVEL: 'INFO', ...SECRETS });
    await worker.ready();

    const outputs: Record<string, string> = {};
    const ids: string[] = [];
    const cli = async (label: string, args: string[]) => {
      const t0 = Date.now();
      const result = await runCli(estate, args, SECRETS);
      if (process.env.DBMOVE_TEST_TIMING) process.stderr.write(`${label}: ${Date.now() - t0} ms\n`);
      outputs[`${label} stdout`] = result.stdout;
      outputs[`${label} stderr`] = result.stderr;
      expect(result.code, `${label}: ${result.stderr}`).to.equal(0);
      return result.stdout;
    };
    const operation = async (label: string, args: string[]) => {
      const started = JSON.parse(await cli(label, [...args, '--wait', '--json']));
      expect(started.phase, label).to.equal('AWAITING_SIGNOFF');
      ids.push(started.operationId);
      // sign-off --json prints the closed operation's full status (a status --json of its own).
      return JSON.parse(await cli(`${label} sign-off`, ['sign-off', started.operationId, '--by', 'tester', '--json']));
    };

    const prod = estate.database('prod');
    const backup = path.join(estate.home, 'prod.dbmove');
    const prodSha = fileSha256(prod);

    await operation('refresh', ['refresh', '--source', 'prod', '--target', 'uat']);
    expect(fileSha256(prod), 'refresh: the source is never written').to.equal(prodSha);
    // The secret was really configured and used: POSTCONFIG put uat's own password into uat.
    expect(query(estate.database('uat'), 'SELECT PASSWORD AS p FROM SysEmailSMTPPassword')).to.deep.equal([{ p: SECRETS.UAT_SMTP_PASSWORD }]);

    await operation('export', ['export', '--source', 'prod', '--output', backup]);
    expect(fileSha256(prod), 'export: the source is never written').to.equal(prodSha);
    const backupSha = fileSha256(backup);

    const imported = await operation('import', ['import', '--input', backup, '--target', 'train']);
    expect(fileSha256(backup), "import: the backup (the import's source) is never written").to.equal(backupSha);
    expect(query(estate.database('train'), 'SELECT PASSWORD AS p FROM SysEmailSMTPPassword')).to.deep.equal([{ p: SECRETS.TRAIN_SMTP_PASSWORD }]);

    // The restore's source is the restore point the import kept; it must come through unchanged.
    const restorePoints = fs
      .readdirSync(estate.home, { recursive: true })
      .map(String)
      .filter((f) => f.includes(path.join('.dbmove', 'train', 'history')) && f.endsWith('.sqlite'));
    expect(restorePoints, 'the import kept a restore point of train').to.not.be.empty;
    const pointShas = restorePoints.map((f) => fileSha256(path.join(estate.home, f)));
    await operation('restore', ['restore', '--target', 'train', '--to', imported.marker.at]);
    expect(
      restorePoints.filter((f) => fs.existsSync(path.join(estate.home, f))).map((f) => fileSha256(path.join(estate.home, f))),
      'restore: the restore point it read is unchanged',
    ).to.deep.equal(pointShas);
    expect(fileSha256(prod)).to.equal(prodSha);
    expect(fileSha256(backup)).to.equal(backupSha);

    const haystacks: Record<string, string | Buffer> = { ...outputs, 'worker log': worker.output() };
    await Promise.all(
      ids.map(async (id) => {
        const { binary, json } = await exportHistory(testServer().client.workflow.getHandle(id));
        haystacks[`history of ${id} (protobuf)`] = binary;
        haystacks[`history of ${id} (JSON)`] = json;
        const logs = await runCli(estate, ['logs', id], SECRETS);
        expect(logs.code, logs.stderr).to.equal(0);
        expect(logs.stdout).to.contain(id);
        haystacks[`dbmove logs ${id}`] = logs.stdout;
      }),
    );
    // The scan can find things: names that do travel are there.
    expect(secretFindings('control', 'requested by cli-tester', haystacks), 'positive control').to.not.be.empty;
    expect(secretFindings('control', 'uat-mailer', { x: Buffer.from(`{"u":"uat-mailer"}`).toString('base64') }), 'base64 control').to.not.be.empty;
    const findings = Object.entries(SECRETS).flatMap(([name, value]) => secretFindings(name, value, haystacks));
    expect(findings).to.deep.equal([]);
    // What the histories do say about mail: the variable's name, never its value.
    expect(Object.entries(haystacks).some(([, h]) => h.includes('UAT_SMTP_PASSWORD'))).to.equal(true);
  });
});
