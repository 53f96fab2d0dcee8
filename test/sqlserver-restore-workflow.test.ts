import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../config/package-root';
import { SqlServerEngine } from '../engines/sqlserver/sqlserver-engine';
import { createDbmoveWorker } from '../worker/create-worker';
import { foContent } from './support/azure-estate';
import { FakeSqlServer } from './support/fake-sqlserver';
import { startKind, waitForPhase } from './support/operations';
import { testServer } from './support/server';

/**
 * A point-in-time restore on a SQL Server environment whose log chain is broken, through the
 * real workflow on the real Temporal dev server. MOCKED SQL SERVER (test/support/fake-sqlserver.ts):
 * msdb lists a full backup and two log backups with a gap between them (a log backup taken
 * elsewhere and removed from msdb). NoRestoreChain is permanent: the RESTORE step must fail at
 * once, on its first attempt, instead of being retried three times against the same history.
 */
describe('SQL Server restore with a broken log chain (mocked SQL Server, real workflow)', function () {
  this.timeout(60_000);

  it('fails RESTORE with NoRestoreChain on its first attempt (not retried)', async () => {
    const fake = new FakeSqlServer({ now: new Date('2026-01-15T12:00:00Z'), zone: 'Europe/Berlin' });
    fake.addDatabase('AxDB', foContent('sqlrestore', 'sandbox'));
    fake.addBackup('AxDB', 'D', new Date('2026-01-15T06:00:00Z'));
    const first = fake.addBackup('AxDB', 'L', new Date('2026-01-15T07:00:00Z'));
    const after = fake.addBackup('AxDB', 'L', new Date('2026-01-15T09:00:00Z'));
    after.firstLsn = first.lastLsn + 500n; // the log backup in between is gone: the chain breaks at 07:00

    const home = path.join(packageRoot(), '.tmp', 'tests', `sqlserver-${crypto.randomBytes(4).toString('hex')}`);
    fs.mkdirSync(home, { recursive: true });
    const catalogFile = path.join(home, 'environments.json');
    const database = {
      server: 'sql-dev01',
      database: 'AxDB',
      backupDirectory: 'D:\\Backups',
      authentication: { type: 'sql', userName: 'dbmove', passwordEnv: 'SQLDEV_PASSWORD' },
    };
    fs.writeFileSync(catalogFile, JSON.stringify({ environments: [{ name: 'sqlrestore', type: 'sandbox', engine: 'sqlserver', database }] }));
    const taskQueue = `test-sqlserver-${crypto.randomBytes(4).toString('hex')}`;
    const worker = await createDbmoveWorker({
      connection: testServer().nativeConnection,
      namespace: testServer().namespace ?? 'default',
      taskQueue,
      catalogFile,
      stateDir: path.join(home, 'state'),
      env: {},
      engines: { sqlserver: () => new SqlServerEngine({ connections: fake.connections, pollIntervalMs: 5 }) },
    });
    const { status, history } = await worker.runUntil(async () => {
      const handle = await startKind({ worker, taskQueue, run: (fn) => worker.runUntil(fn) }, 'restore', {
        target: 'sqlrestore',
        to: '2026-01-15T08:00:00.000Z',
        tuning: { initialInterval: '100ms', maximumAttempts: 3 },
      });
      const reached = await waitForPhase(handle, ['FAILED', 'REFUSED', 'AWAITING_SIGNOFF']);
      const fetched = await handle.fetchHistory();
      await handle.terminate('test done');
      return { status: reached, history: fetched };
    });

    expect(status.phase, JSON.stringify(status.logs?.slice(-5))).to.equal('FAILED');
    const restore = status.steps.find((s) => s.name === 'RESTORE');
    expect(JSON.stringify(restore)).to.include('no log backup of AxDB continues the chain');
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'restorePointInTime');
    expect(scheduled).to.have.length(1);
    const scheduledId = scheduled[0].eventId?.toString();
    const started = events.filter((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduledId);
    expect(
      started.map((e) => e.activityTaskStartedEventAttributes?.attempt),
      'attempts of RESTORE',
    ).to.deep.equal([1]);
    const failed = events.find((e) => e.activityTaskFailedEventAttributes?.scheduledEventId?.toString() === scheduledId);
    expect(failed?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type).to.equal('NoRestoreChain');
    expect(failed?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.nonRetryable).to.equal(true);
    // Nothing was restored: the chain was refused before the first RESTORE statement.
    expect(fake.of('RESTORE DATABASE')).to.deep.equal([]);
  });
});
