import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { temporal } from '@temporalio/proto';
import { decide, getStatus } from '../client/operations';
import type { OperationStatus } from '../workflows/types';
import { cutShort, zeroLeafPage } from './support/damage';
import { createTestEstate, fileSha256, mutate, query, tableChecksums, type TestEstate } from './support/estate';
import { filesOnDisk } from './support/holdings';
import { startRefresh, waitForPhase, waitUntil } from './support/operations';
import { testServer } from './support/server';
import { createTestWorker } from './support/worker';
import { spawnWorker } from './support/worker-process';

/**
 * Issue 18's findings, each reproduced on real SQLite files and a real Temporal server: a
 * damaged source, a busy or WAL-mode target, writes made to the target after MARKER, a step
 * that must keep heartbeating through a long statement, and an attempt Temporal has given up
 * on that wakes up and must not write.
 */
const FAST = { initialInterval: '100ms', maximumAttempts: 2 } as const;
// CUSTTABLE gains uat's own column in SYNC; these arrive exactly as prod has them.
const BUSINESS = ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE'];

async function failed(handle: Awaited<ReturnType<typeof startRefresh>>): Promise<unknown> {
  return handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** Activity attempts that failed or timed out, from the history itself. */
async function failedAttempts(handle: Awaited<ReturnType<typeof startRefresh>>): Promise<string[]> {
  const E = temporal.api.enums.v1.EventType;
  const history = await handle.fetchHistory();
  const out: string[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) out.push(`timed out: ${e.activityTaskTimedOutEventAttributes?.failure?.message}`);
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_FAILED) out.push(`failed: ${e.activityTaskFailedEventAttributes?.failure?.message}`);
    const attempt = e.activityTaskStartedEventAttributes?.attempt ?? 1;
    if (attempt > 1) out.push(`retried (attempt ${attempt}): ${e.activityTaskStartedEventAttributes?.lastFailure?.message}`);
  }
  return out;
}

describe('a damaged source is refused before anything is copied, naming the table', function () {
  this.timeout(120_000);

  it('a zeroed leaf page of VENDTABLE in prod: REFUSED at PRECHECK naming VENDTABLE; uat untouched, nothing on disk', async () => {
    const estate = createTestEstate(3000, 'corrupt-source');
    zeroLeafPage(estate.database('prod'), 'VENDTABLE');
    const uat = tableChecksums(estate.database('uat'));
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await failed(handle);
      const status = await getStatus(testServer().client, handle);
      expect(status.phase).to.equal('REFUSED');
      const check = status.checks.find((c) => c.name === 'integrity-prod');
      expect(check?.ok).to.equal(false);
      expect(check?.message).to.match(/The source prod is damaged in VENDTABLE/);
      expect(check?.fix).to.match(/repair or restore prod/);
      // Not refused for a reason the damage caused: no version check ran on the damaged file.
      expect(status.checks.map((c) => c.name)).to.not.include('application-release');
      expect(filesOnDisk(estate, 'uat', handle.workflowId)).to.deep.equal({ staging: [], restorePoints: [], journal: [], history: [] });
    });
    expect(tableChecksums(estate.database('uat'))).to.deep.equal(uat);
  });

  it('a source cut short is refused as cut short, not as a version that cannot be read', async () => {
    const estate = createTestEstate(3000, 'truncated-source');
    cutShort(estate.database('prod'));
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await failed(handle);
      const status = await getStatus(testServer().client, handle);
      expect(status.phase).to.equal('REFUSED');
      expect(status.checks.find((c) => c.name === 'integrity-prod')?.message).to.match(/prod\.sqlite is cut short: its header says \d+ pages/);
      expect(status.checks.find((c) => c.name === 'application-release')).to.equal(undefined);
    });
  });

  it('a damaged page met by SCRUB (integrity check off) fails as DatabaseCorrupt naming the table, with no retry offered by Temporal', async () => {
    const estate = createTestEstate(3000, 'corrupt-scrub');
    estate.editCatalog((c) => (c.defaults = { ...c.defaults, integrityCheck: 'off' }));
    zeroLeafPage(estate.database('prod'), 'LOGISTICSELECTRONICADDRESS');
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: { initialInterval: '100ms', maximumAttempts: 3 } });
      const status = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(status.phase).to.equal('FAILED');
      expect(status.failure?.step).to.equal('SCRUB');
      expect(status.failure?.type).to.equal('DatabaseCorrupt');
      expect(status.failure?.message).to.match(/is damaged \(database disk image is malformed\) in table LOGISTICSELECTRONICADDRESS/);
      expect(status.failure?.message).to.match(/A retry reads the same damaged pages/);
      // One attempt: the error type is non-retryable, so Temporal did not try again.
      expect((await failedAttempts(handle)).filter((a) => a.startsWith('retried'))).to.deep.equal([]);
      await decide(handle, 'rollback', { by: 'tester' });
      await waitForPhase(handle, ['ROLLED_BACK']);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('a staging copy damaged before SWAP is never swapped in: SWAP fails as DatabaseCorrupt and uat stays as it was', async () => {
    const estate = createTestEstate(3000, 'corrupt-staging');
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '3s' };
    });
    const before = tableChecksums(estate.database('uat'), BUSINESS);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      // NOTIFY's lead time: the staging copy is complete and waits for SWAP.
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      const staging = path.join(path.dirname(estate.database('uat')), '.dbmove', 'uat', 'staging', `${handle.workflowId}.sqlite`);
      zeroLeafPage(staging, 'GENERALJOURNALACCOUNTENTRY');
      const status = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(status.phase).to.equal('FAILED');
      expect(status.failure).to.include({ step: 'SWAP', type: 'DatabaseCorrupt' });
      expect(status.failure?.message).to.match(/staging copy .* is damaged in GENERALJOURNALACCOUNTENTRY/);
      expect(tableChecksums(estate.database('uat'), BUSINESS)).to.deep.equal(before);
      await decide(handle, 'rollback', { by: 'tester' });
      expect((await waitForPhase(handle, ['ROLLED_BACK'])).phase).to.equal('ROLLED_BACK');
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });
});

/** A process that holds `file` open (in a read transaction for `holdMs`, then idle until killed). */
function holdOpen(file: string, holdMs: number, options: { transaction: boolean }): { pid: number; done: Promise<void> } {
  const script = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)}, { readonly: true });
    ${options.transaction ? "db.exec('BEGIN'); db.prepare('SELECT COUNT(*) FROM sqlite_master').get();" : "db.prepare('SELECT COUNT(*) FROM sqlite_master').get();"}
    process.stdout.write('holding\\n');
    setTimeout(() => { ${options.transaction ? "db.exec('COMMIT');" : ''} db.close(); process.exit(0); }, ${holdMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void ready;
  return { pid: child.pid!, done: ready.then(() => done) };
}

describe('a busy target at SWAP: named, waited for within bounds, never blocking the worker', function () {
  this.timeout(120_000);

  it('a reader in a transaction on uat: SWAP names its process, uat stays readable meanwhile, and it swaps once the reader lets go', async () => {
    const estate = createTestEstate(2000, 'busy-target');
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '2s' };
    });
    const uat = estate.database('uat');
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      // A short heartbeat timeout makes the SDK send progress every 2.4 s instead of every minute.
      const handle = await startRefresh(worker, { tuning: { ...FAST, heartbeatTimeout: '3s' } });
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      const holder = holdOpen(uat, 8_000, { transaction: true });
      // Event loop delay in this process (the worker's) while SWAP waits.
      let worst = 0;
      let last = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last - 20);
        last = now;
      }, 20);
      const waiting = await waitUntil(
        handle,
        (s) => /waiting for uat/.test(s.progress?.detail ?? '') || ['AWAITING_SIGNOFF', 'FAILED'].includes(s.phase),
        30_000,
      );
      expect(waiting.progress?.detail ?? '', JSON.stringify(waiting.logs.slice(-3))).to.match(new RegExp(`pid ${holder.pid} \\(.*node`));
      // While SWAP waits, uat serves new connections: nothing holds a lock that keeps them out.
      const reader = new Database(uat, { readonly: true });
      reader.pragma('busy_timeout = 0');
      expect(reader.prepare('SELECT COUNT(*) AS n FROM UserInfo').get()).to.have.property('n');
      reader.close();
      await holder.done;
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      clearInterval(probe);
      expect(status.phase, JSON.stringify(status.failure)).to.equal('AWAITING_SIGNOFF');
      expect(status.logs.some((l) => l.step === 'SWAP' && /Waited \d+\.\d s for pid \d+/.test(l.message))).to.equal(true);
      expect(status.unavailableWindowMs).to.be.a('number');
      // Not a timing assertion: a statement on the event loop would have stalled it for seconds.
      expect(worst, 'event-loop stall while SWAP waited (ms)').to.be.lessThan(1_500);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('a holder that never lets go: SWAP gives up after timeouts.swapWait with TargetBusy naming it; once it is gone, retry swaps', async () => {
    const estate = createTestEstate(2000, 'busy-forever');
    estate.editCatalog((c) => {
      const uat = c.environments.find((e: { name: string }) => e.name === 'uat');
      uat.timeouts = { swapWait: '2s' };
      uat.notifications = { broadcastLeadTime: '1s' };
    });
    const before = tableChecksums(estate.database('uat'), BUSINESS);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      const holder = holdOpen(estate.database('uat'), 60_000, { transaction: true });
      const status = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(status.failure?.type).to.equal('TargetBusy');
      expect(status.failure?.message).to.match(new RegExp(`uat \\(.*uat\\.sqlite\\) is still held by pid ${holder.pid} .* after 2 s`));
      expect(status.failure?.message).to.match(/raise timeouts\.swapWait/);
      expect(tableChecksums(estate.database('uat'), BUSINESS)).to.deep.equal(before);
      process.kill(holder.pid, 'SIGKILL');
      await decide(handle, 'retry', { by: 'tester' });
      expect((await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('a WAL-mode target with an open connection is swapped once the connection closes, and stays in WAL mode', async () => {
    const estate = createTestEstate(2000, 'wal-target');
    const uat = estate.database('uat');
    mutate(uat, 'PRAGMA journal_mode = WAL');
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '2s' };
    });
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      // An idle connection: in WAL mode even that keeps the file in use.
      const holder = holdOpen(uat, 4_000, { transaction: false });
      await holder.done;
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(status.phase, JSON.stringify(status.failure)).to.equal('AWAITING_SIGNOFF');
      const db = new Database(uat, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
        expect(db.pragma('quick_check', { simple: true })).to.equal('ok');
      } finally {
        db.close();
      }
      expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });
});

describe('writes made to the target between MARKER and SWAP', function () {
  this.timeout(120_000);

  const leadTime = (estate: TestEstate, extra: Record<string, unknown> = {}) =>
    estate.editCatalog((c) => {
      Object.assign(
        c.environments.find((e: { name: string }) => e.name === 'uat'),
        { notifications: { broadcastLeadTime: '3s' }, ...extra },
      );
    });
  /** The target's users at work: three customers added and one changed, after MARKER. */
  const writeToTarget = (estate: TestEstate) => {
    const db = new Database(estate.database('uat'));
    try {
      const insert = db.prepare("INSERT INTO CUSTTABLE (ACCOUNTNUM, DATAAREAID, PARTY, CUSTGROUP, CURRENCY) VALUES (?, 'usmf', 1, 'AFTER-MARKER', 'USD')");
      for (const n of ['W-1', 'W-2', 'W-3']) insert.run(n);
      db.prepare("UPDATE VENDTABLE SET VENDGROUP = 'AFTER-MARKER' WHERE rowid = (SELECT MIN(rowid) FROM VENDTABLE)").run();
    } finally {
      db.close();
    }
  };

  it('are counted and warned about (status, log, Web UI details), then overwritten by SWAP as documented', async () => {
    const estate = createTestEstate(2000, 'writes-warn');
    leadTime(estate);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      writeToTarget(estate);
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(status.phase).to.equal('AWAITING_SIGNOFF');
      expect(status.targetWrites).to.deep.include({ rows: 4, outcome: 'overwritten' });
      expect(status.targetWrites?.tables).to.deep.equal([
        { table: 'CUSTTABLE', rows: 3 },
        { table: 'VENDTABLE', rows: 1 },
      ]);
      expect(status.logs.some((l) => l.level === 'warn' && /4 rows changed in uat by its users between MARKER and SWAP/.test(l.message))).to.equal(true);
      // The Web UI's current details say it too.
      const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
      expect(metadata.currentDetails).to.match(/4 rows written to uat after MARKER were overwritten by SWAP \(CUSTTABLE 3, VENDTABLE 1\)/);
      expect(query(estate.database('uat'), "SELECT COUNT(*) AS n FROM CUSTTABLE WHERE CUSTGROUP = 'AFTER-MARKER'")[0]).to.deep.equal({ n: 0 });
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('with onTargetWrites "stop", SWAP stops before touching uat; rollback keeps the writes, or retry overwrites them', async () => {
    const estate = createTestEstate(2000, 'writes-stop');
    leadTime(estate, { onTargetWrites: 'stop' });
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      await waitUntil(handle, (s) => s.steps.find((t) => t.name === 'NOTIFY')?.status === 'completed');
      writeToTarget(estate);
      const written = tableChecksums(estate.database('uat'), BUSINESS);
      const status = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(status.failure?.type).to.equal('TargetChangedSinceMarker');
      expect(status.failure?.message).to.match(/uat was written by its users since MARKER: 4 rows changed \(CUSTTABLE: 3, VENDTABLE: 1\)/);
      expect(status.failure?.message).to.match(/Roll back to keep uat as it is now .* or retry to swap anyway/);
      expect(tableChecksums(estate.database('uat'), BUSINESS), 'the writes are still there').to.deep.equal(written);
      // The person decides to overwrite them: retry swaps, and says what it overwrote.
      await decide(handle, 'retry', { by: 'tester', note: 'the writes were test data' });
      const swapped = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED']);
      expect(swapped.phase).to.equal('AWAITING_SIGNOFF');
      expect(swapped.targetWrites).to.deep.include({ rows: 4, outcome: 'overwritten' });
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });
});

describe('every step heartbeats through long statements, and a timed-out attempt never writes', function () {
  this.timeout(180_000);

  it('a SCRUB statement of several seconds with a 1 s heartbeat timeout: no timeout, no retry, one attempt', async () => {
    const estate = createTestEstate(1000, 'long-statement');
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'SCRUB=long-statement' });
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: { heartbeatTimeout: '1s', initialInterval: '100ms', maximumAttempts: 1 } });
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'], 170_000);
      expect(status.phase, JSON.stringify(status.failure)).to.equal('AWAITING_SIGNOFF');
      const scrub = status.steps.find((s) => s.name === 'SCRUB')!;
      expect(scrub.activityMs, 'the statements really ran long').to.be.greaterThan(3_000);
      expect(await failedAttempts(handle)).to.deep.equal([]);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
  });

  it('a COPY attempt frozen past its heartbeat timeout wakes after its retry finished: it stops at the fence, and uat gets the scrubbed data', async () => {
    const estate = createTestEstate(3000, 'fence');
    // The operation is still before SWAP (NOTIFY's lead time) when the frozen attempt wakes.
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '8s' };
    });
    const source = tableChecksums(estate.database('prod'), BUSINESS);
    const temporalAt = { address: testServer().address, taskQueue: `fence-${process.pid}-${Date.now()}` };
    const worker = spawnWorker(estate, temporalAt, { DBMOVE_FAULTS: 'COPY=stall-once', DBMOVE_LOG_LEVEL: 'WARN' });
    try {
      await worker.ready();
      const handle = await startRefresh({ taskQueue: temporalAt.taskQueue } as never, {
        tuning: { heartbeatTimeout: '1s', initialInterval: '100ms', maximumAttempts: 3 },
      });
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'], 120_000);
      expect(status.phase, JSON.stringify(status.failure)).to.equal('AWAITING_SIGNOFF');
      expect(await failedAttempts(handle)).to.satisfy((a: string[]) => a.some((l) => /timed out|retried \(attempt 2\)/.test(l)));
      // The frozen first attempt woke while the operation waited before SWAP, and stopped at the fence.
      expect(worker.output()).to.contain('injected stall at COPY');
      expect(worker.output()).to.match(/superseded by a newer attempt of the operation before copy/);
      const uat = estate.database('uat');
      expect(tableChecksums(uat, BUSINESS)).to.deep.equal(source);
      // Scrubbed: the late attempt put no unscrubbed copy in the way of the swap.
      expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
      expect(filesOnDisk(estate, 'uat', handle.workflowId).staging).to.deep.equal([]);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    } finally {
      await worker.stop();
    }
  });
});

describe('PRECHECK checks free space and clears what crashed processes left', function () {
  this.timeout(60_000);

  it('removes *.json.tmp-<pid> of dead processes and stale partial copies nobody holds, and keeps a live process’s', async () => {
    const estate = createTestEstate(1000, 'leftovers');
    const work = path.join(path.dirname(estate.database('uat')), '.dbmove', 'uat');
    fs.mkdirSync(path.join(work, 'operations'), { recursive: true });
    fs.mkdirSync(path.join(work, 'staging'), { recursive: true });
    const dead = path.join(work, 'operations', 'refresh-uat-old.json.tmp-999999');
    const live = path.join(work, 'operations', `refresh-uat-other.json.tmp-${process.pid}`);
    const partial = path.join(work, 'staging', 'refresh-uat-crashed.sqlite.partial');
    for (const f of [dead, live, partial]) fs.writeFileSync(f, 'left behind');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(partial, old, old);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker, { tuning: FAST });
      const status = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
      expect(status.phase).to.equal('AWAITING_SIGNOFF');
      expect(status.checks.find((c) => c.name === 'free-space-uat')?.ok).to.equal(true);
      const removed = status.logs
        .filter((l) => /left behind by a process that crashed/.test(l.message))
        .map((l) => path.basename(l.message.replace(/^Removed (.*), left behind.*$/, '$1')));
      expect(removed.sort()).to.deep.equal(['refresh-uat-crashed.sqlite.partial', 'refresh-uat-old.json.tmp-999999']);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    expect([fs.existsSync(dead), fs.existsSync(partial), fs.existsSync(live)]).to.deep.equal([false, false, true]);
  });

  it('refuses when the target’s disk cannot hold the staging copy and the restore point', async function () {
    const estate = createTestEstate(1000, 'no-space');
    const mount = path.join(estate.home, 'small-disk');
    fs.mkdirSync(mount);
    const { spawnSync } = await import('node:child_process');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
    if (mounted.status !== 0) this.skip(); // needs root: a real full disk, not a stand-in
    try {
      fs.copyFileSync(estate.database('uat'), path.join(mount, 'uat.sqlite'));
      estate.editCatalog((c) => (c.environments.find((e: { name: string }) => e.name === 'uat').database.path = path.join(mount, 'uat.sqlite')));
      const before = fileSha256(path.join(mount, 'uat.sqlite'));
      const worker = await createTestWorker(estate);
      await worker.run(async () => {
        const handle = await startRefresh(worker, { tuning: FAST });
        await failed(handle);
        const status: OperationStatus = await getStatus(testServer().client, handle);
        expect(status.phase).to.equal('REFUSED');
        const check = status.checks.find((c) => c.name === 'free-space-uat');
        expect(check?.ok).to.equal(false);
        expect(check?.message).to.match(/Only .* free at .*small-disk.*; the staging copy and the restore point need about/);
      });
      expect(fileSha256(path.join(mount, 'uat.sqlite'))).to.equal(before);
    } finally {
      spawnSync('umount', [mount]);
    }
  });
});
