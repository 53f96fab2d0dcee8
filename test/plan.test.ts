import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { decide, getStatus } from '../client/operations';
import type { RefreshPlan } from '../client/plan';
import { runCli, writeTemporalConfig } from './support/cli';
import { tableChecksums, TestEstate } from './support/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';

/** Every file under the estate's state folder with its content hash: "changed nothing" means this is equal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('dbmove plan (dry run of a refresh)', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(3000, 'plan'));
    writeTemporalConfig(estate, worker.taskQueue);
  });

  it('changes nothing, and its scrub rows and schema changes are what the refresh then does', async () => {
    const files = snapshot(estate.stateDir);
    const tables = { prod: tableChecksums(estate.database('prod')), uat: tableChecksums(estate.database('uat')) };

    const run = await runCli(estate, ['plan', '--source', 'prod', '--target', 'uat', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const plan = JSON.parse(run.stdout) as RefreshPlan;

    // Nothing touched: same files, same bytes, same rows; no operation started.
    // SQLite creates its shared-memory index and an empty WAL beside a WAL-mode database that
    // any reader opens; those are no change of content. Everything else must be identical.
    const EMPTY = crypto.createHash('sha256').digest('hex');
    const after = Object.entries(snapshot(estate.stateDir)).filter(([file, hash]) =>
      !(file in files) && (file.endsWith('-shm') || (file.endsWith('-wal') && hash === EMPTY)) ? false : true,
    );
    expect(Object.fromEntries(after)).to.deep.equal(files);
    expect(tableChecksums(estate.database('prod'))).to.deep.equal(tables.prod);
    expect(tableChecksums(estate.database('uat'))).to.deep.equal(tables.uat);
    const started = [];
    for await (const w of testServer().client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}'` })) started.push(w.workflowId);
    expect(started).to.deep.equal([]);

    expect(plan.ready).to.equal(true);
    expect(plan.copy!.bytes).to.equal(fs.statSync(estate.database('prod')).size);
    expect(plan.scrub!.rows).to.be.greaterThan(0);
    expect(plan.sync!.actions.length).to.be.greaterThan(0);
    expect(plan.estimate!.copySeconds).to.be.a('number');

    const status = await worker.run(async () => {
      const handle = await startRefresh(worker);
      await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      const awaiting = await getStatus(testServer().client, handle);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
      return awaiting;
    });

    // PRECHECK: the same checks with the same verdicts.
    const precheck = status.checks.map((c) => [c.name, c.ok]);
    expect(plan.checks.map((c) => [c.name, c.ok])).to.deep.equal(precheck);
    // SCRUB: the rows the refresh changed, element by element, as its log records them.
    const scrubLog = status.logs.filter((l) => l.step === 'SCRUB').map((l) => l.message);
    for (const element of plan.scrub!.elements) {
      const line = scrubLog.find((m) => m.startsWith(`${element.description}: `));
      expect(line, element.id).to.be.a('string');
      expect(Number(/: (\d+) rows/.exec(line!)![1]), element.id).to.equal(element.rows);
    }
    expect(status.steps.find((s) => s.name === 'SCRUB')!.rowsAffected).to.equal(plan.scrub!.rows);
    // SYNC: the very changes it made.
    const syncLog = status.logs.filter((l) => l.step === 'SYNC').map((l) => l.message);
    const applied = syncLog.filter((m) => /^(create-table|add-column|create-index|drop-index) /.test(m));
    expect(applied).to.deep.equal(plan.sync!.actions);
  });

  it('reports the failed checks and exits 1 when a refresh would be refused', async () => {
    const run = await runCli(estate, ['plan', '--source', 'uat', '--target', 'prod', '--json']);
    expect(run.code).to.equal(1);
    const plan = JSON.parse(run.stdout) as RefreshPlan;
    expect(plan.ready).to.equal(false);
    expect(plan.checks.find((c) => c.name === 'target-not-production')).to.include({ ok: false });
  });
});
