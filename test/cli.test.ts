import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { demoCatalog } from '../demo/estate';
import { packageRoot } from '../config/package-root';
import { runCli, writeTemporalConfig } from './support/cli';
import { fileSha256, query, TestEstate } from './support/estate';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';

describe('the dbmove command line', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(3000, 'cli'));
    writeTemporalConfig(estate, worker.taskQueue);
  });

  it('refresh --wait --json prints one JSON object with operationId, phase and timed steps; sign-off closes it', async () => {
    await worker.run(async () => {
      const refresh = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait', '--json']);
      expect(refresh.code, refresh.stderr).to.equal(0);
      const result = JSON.parse(refresh.stdout);
      expect(result.operationId).to.match(/^refresh-uat-\d{8}t\d{6}z-[0-9a-f]{4}$/);
      expect(result.phase).to.equal('AWAITING_SIGNOFF');
      expect(result.steps.map((s: { name: string }) => s.name)).to.deep.equal([
        'PRECHECK',
        'MARKER',
        'COPY',
        'SCRUB',
        'SYNC',
        'POSTCONFIG',
        'VERIFY',
        'NOTIFY',
        'SWAP',
      ]);
      for (const step of result.steps) {
        expect(step.status, step.name).to.equal('completed');
        expect(Date.parse(step.startedAt), step.name).to.be.a('number').and.not.NaN;
        expect(Date.parse(step.endedAt), step.name).to.be.at.least(Date.parse(step.startedAt));
      }
      expect(result.unavailableWindowMs).to.be.a('number');

      // Addressed by the target's name; the person is recorded.
      const status = await runCli(estate, ['status', 'uat', '--json']);
      expect(status.code, status.stderr).to.equal(0);
      expect(JSON.parse(status.stdout).operationId).to.equal(result.operationId);
      expect(JSON.parse(status.stdout).logs.some((l: { message: string }) => /requested by cli-tester/.test(l.message))).to.equal(true);

      const signOff = await runCli(estate, ['sign-off', 'uat', '--by', 'alice', '--json']);
      expect(signOff.code, signOff.stderr).to.equal(0);
      expect(JSON.parse(signOff.stdout)).to.include({ phase: 'COMPLETED' });
      expect(JSON.parse(signOff.stdout).signedOff.by).to.equal('alice');

      // Signing off twice is refused (exit 1, as every refused decision), and says why.
      const again = await runCli(estate, ['sign-off', result.operationId]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/already (signed off|closed)/);
    });
  });

  it('exits 1 with the reasons when the operation is refused, and 2 on bad usage, changing nothing', async () => {
    const before = ['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)));
    await worker.run(async () => {
      const refused = await runCli(estate, ['refresh', '--source', 'uat', '--target', 'prod', '--wait']);
      expect(refused.code).to.equal(1);
      expect(refused.stdout).to.match(/prod is a production environment/);
      expect(refused.stdout).to.match(/fix: choose a sandbox as the target/);

      const unknown = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'qa']);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.match(/Unknown environment "qa".*"prod", "uat", "train"/s);

      const missing = await runCli(estate, ['refresh', '--source', 'prod']);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/required option '--target <env>' not specified/);

      const badChoice = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--on-failure', 'ignore']);
      expect(badChoice.code).to.equal(2);
      expect(badChoice.stderr).to.match(/must be one of wait, rollback/);
    });
    expect(['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)))).to.deep.equal(before);
  });

  it('demo --json lists each environment with its name, type and database file', async () => {
    const home = path.join(estate.home, 'fresh');
    fs.mkdirSync(home);
    const demo = await runCli({ ...estate, home }, ['demo', '--rows', '1000', '--json']);
    expect(demo.code, demo.stderr).to.equal(0);
    const environments = JSON.parse(demo.stdout) as { name: string; type: string; database: string }[];
    expect(environments.map((e) => [e.name, e.type])).to.deep.equal([
      ['prod', 'production'],
      ['uat', 'sandbox'],
      ['train', 'sandbox'],
    ]);
    for (const e of environments) expect(fs.existsSync(e.database), e.database).to.equal(true);
    expect(query(environments[0].database, 'SELECT COUNT(*) AS n FROM CUSTTABLE')[0]).to.deep.equal({ n: 100 });
    const again = await runCli({ ...estate, home }, ['demo', '--rows', '1000']);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.match(/already exists.*dbmove demo --fresh/s);
  });

  it('ships the demo catalog as environments.json, unchanged', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'environments.json'), 'utf8'));
    expect(shipped).to.deep.equal(demoCatalog());
  });
});
