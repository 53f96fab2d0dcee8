import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide } from '../client/operations';
import { followOperation } from '../client/follow';
import { packageRoot } from '../config/package-root';
import { fileSha256, query, TestEstate } from './support/estate';
import { estateWithWorker } from './support/fixture';
import { startRefresh, waitForPhase } from './support/operations';
import { testServer } from './support/server';
import type { TestWorker } from './support/worker';

/**
 * SYNC through the platform's own database synchronisation (catalog `databaseSync`), the
 * way F&O's full sync runs after a database move: a real program, run against the staging
 * database ({location} in its arguments), whose output becomes the step's progress, and whose
 * failure fails the step with what it printed. The stand-in here is a Node script that
 * applies uat's customisation to the staging file, line by line, as a sync engine would.
 */
const SYNC_SCRIPT = `
const Database = require(${JSON.stringify(require.resolve('better-sqlite3', { paths: [packageRoot()] }))});
const [file, outcome] = process.argv.slice(2);
const steps = ['Synchronising tables 25%', 'Synchronising views 50%', 'Synchronising data entities 75%'];
let i = 0;
const next = () => {
  if (i < steps.length) { console.log(steps[i++]); return setTimeout(next, 400); }
  if (outcome === 'fail') {
    console.error('Table sync failed for table CUSTTABLE: unique index I_CONTOSOCUSTNAMEIDX has duplicate keys');
    process.exit(2);
  }
  const db = new Database(file);
  db.exec("ALTER TABLE CUSTTABLE ADD COLUMN CONTOSOSYNCED TEXT NOT NULL DEFAULT 'yes'");
  db.close();
  console.log('Synchronize database completed 100%');
};
next();
`;

describe("SYNC as the platform's database synchronisation (a real program against staging)", function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(1500, 'platformsync'));
    fs.writeFileSync(path.join(estate.home, 'sync-engine.js'), SYNC_SCRIPT);
  });

  const useSync = (outcome: 'ok' | 'fail') =>
    estate.editCatalog((c) => {
      c.environments.find((e: any) => e.name === 'uat').databaseSync = { command: [process.execPath, 'sync-engine.js', '{location}', outcome], timeout: '60s' };
    });

  it('runs the command against staging, streams its progress, and the target gets what it did', async () => {
    useSync('ok');
    const seen: string[] = [];
    const status = await worker.run(async () => {
      const handle = await startRefresh(worker);
      await followOperation(testServer().client, handle, {
        done: (s) => ['AWAITING_SIGNOFF', 'FAILED'].includes(s.phase),
        intervalMs: 100,
        timeoutMs: 60_000,
        onStatus: (s) => {
          if (s.progress?.step === 'SYNC' && s.progress.detail) seen.push(`${s.progress.percent}% ${s.progress.detail}`);
        },
      });
      return waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
    });
    expect(status.phase, JSON.stringify(status.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
    const sync = status.steps.find((s) => s.name === 'SYNC')!;
    expect(sync.summary).to.match(/uat's database synchronisation completed in \d+\.\d s \(4 lines of output\)/);
    expect(status.logs.map((l) => l.message).join('\n')).to.match(/sync: Synchronize database completed 100%/);
    // Its progress reached the status while it ran (heartbeats), percentages included.
    expect(seen.join('\n')).to.match(/(25|50|75)% Synchronising/);
    // The platform's sync did the schema work, not dbmove's comparison: its column is there, uat's customisation column is not.
    const columns = query<{ name: string }>(estate.database('uat'), 'SELECT name FROM pragma_table_info(?)', 'CUSTTABLE').map((c) => c.name);
    expect(columns).to.include('CONTOSOSYNCED').and.not.include('CONTOSOLOYALTYTIER');
  });

  it('a failing synchronisation fails SYNC with its output; rollback leaves uat as it was', async () => {
    useSync('fail');
    const before = fileSha256(estate.database('uat'));
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(failed.phase).to.equal('FAILED');
      expect(failed.failure?.step).to.equal('SYNC');
      expect(failed.failure?.type).to.equal('DatabaseSyncFailed');
      expect(failed.failure?.message).to.match(/SYNC: uat's database synchronisation .*sync-engine\.js.* exited with 2\. Its last output:/);
      expect(failed.failure?.message).to.match(/Synchronising data entities 75%[\s\S]*unique index I_CONTOSOCUSTNAMEIDX has duplicate keys/);
      // One attempt: a retry is a person's decision, not an automatic one.
      expect(failed.steps.find((s) => s.name === 'SYNC')?.attempts).to.equal(1);
      await decide(handle, 'rollback', { by: 'tester' });
      expect((await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED'])).phase).to.equal('ROLLED_BACK');
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    expect(fileSha256(estate.database('uat'))).to.equal(before);
  });
});
