import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './support/cli';
import { createTestEstate, fileSha256, query, TestEstate } from './support/estate';
import { exportHistory, secretFindings } from './support/history';
import { testServer } from './support/server';
import { spawnWorker, WorkerProcess } from './support/worker-process';
import { startTestAppServers } from './support/app-servers';
import type { AppServerProcess } from '../demo/app-servers';

/**
 * No secret in history or logs: every operation kind runs through the real command line
 * against a real `dbmove worker` process whose environment holds known secret values (the
 * bearer token the sandboxes' application servers require, which SWAP sends to stop and
 * start them, a Temporal API key, an Azure client secret). Then every workflow history,
 * `dbmove logs`, `dbmove status --json`, the worker's own log and every command's output are
 * scanned for each value, raw and in base64. The same run checks that each operation's source
 * (prod, the backup file, the restore point) was never written, and that no secret, and no
 * plain-text SMTP password, is in a target's database file.
 */

const SECRETS: Record<string, string> = {
  DEMO_APP_TOKEN: 'app-token-S3cr3t-4c1d9e',
  // In the environment but not used to connect (temporal.config.json names another variable): the dev server has no TLS.
  TEMPORAL_API_KEY: 'tmprl-apikey-Z9x8c7v6b5n4m3',
  AZURE_CLIENT_SECRET: 'azure-client-secret-Qw3rTy~77Zp',
  DBMOVE_WEBHOOK_SECRET: 'webhook-hmac-secret-0f9e8d7c',
};

describe('no secret reaches a workflow history or a log', function () {
  this.timeout(240_000);
  let estate: TestEstate;
  let worker: WorkerProcess | undefined;
  let apps: AppServerProcess[] = [];

  afterEach(async () => {
    await worker?.stop('SIGINT');
    for (const app of apps) await app.stop();
  });

  it('refresh, export, import and restore with known secrets configured: none appears in histories, logs or output; every source is unchanged', async () => {
    estate = createTestEstate(1500, 'secrets', { application: true });
    const taskQueue = `secrets-${Date.now().toString(36)}`;
    fs.writeFileSync(
      path.join(estate.home, 'temporal.config.json'),
      JSON.stringify({ address: testServer().address, namespace: 'default', taskQueue, apiKeyEnv: 'DBMOVE_TEST_NO_API_KEY' }),
    );
    // The application servers refuse any request without the token; SWAP reads it from DEMO_APP_TOKEN.
    apps = await startTestAppServers(estate, { tokenEnv: 'DEMO_APP_TOKEN', env: SECRETS });
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

    const refreshed = await operation('refresh', ['refresh', '--source', 'prod', '--target', 'uat']);
    expect(fileSha256(prod), 'refresh: the source is never written').to.equal(prodSha);
    // The secret was really configured and used: SWAP stopped and started uat's application with it.
    expect(refreshed.applicationUnavailableMs, 'SWAP went through the application server').to.be.a('number');
    // No SMTP password travelled, and none was written: F&O's encrypted field stays empty until re-entered.
    expect(query(estate.database('uat'), 'SELECT COUNT(*) AS n FROM SYSEMAILSMTPPASSWORD')).to.deep.equal([{ n: 0 }]);

    await operation('export', ['export', '--source', 'prod', '--output', backup]);
    expect(fileSha256(prod), 'export: the source is never written').to.equal(prodSha);
    const backupSha = fileSha256(backup);

    const imported = await operation('import', ['import', '--input', backup, '--target', 'train']);
    expect(fileSha256(backup), "import: the backup (the import's source) is never written").to.equal(backupSha);
    expect(query(estate.database('train'), 'SELECT COUNT(*) AS n FROM SYSEMAILSMTPPASSWORD')).to.deep.equal([{ n: 0 }]);

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
    // No secret, and no SMTP password in plain text (the demo's production one), in the targets' database files.
    const files = { uat: fs.readFileSync(estate.database('uat')), train: fs.readFileSync(estate.database('train')) };
    const inFiles = [...Object.entries(SECRETS), ['production SMTP password', 'demo-production-smtp-password']].flatMap(([name, value]) =>
      secretFindings(name, value, files),
    );
    expect(inFiles).to.deep.equal([]);
  });
});
