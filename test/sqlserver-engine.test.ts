import { expect } from 'chai';
import { parseCatalog, type SqlServerEnvironment } from '../config/catalog';
import { shortOperationId } from '../engines/azure-sql/names';
import { SqlServerEngine } from '../engines/sqlserver/sqlserver-engine';
import { foContent, testContext } from './support/azure-estate';
import { FakeSqlServer, ServerRefusal } from './support/fake-sqlserver';

/**
 * The SQL Server engine's decisions around its statements, against a MOCK SQL Server
 * (test/support/fake-sqlserver.ts: sys.databases, msdb's backup history and the server clock in
 * memory; it refuses what a real server is documented to refuse). What the statements do to
 * real data is not shown here: no SQL Server can be reached where dbmove is tested.
 */
const OP = 'refresh-sqlserver-0001';
const op = shortOperationId(OP);

function environments(extra: Record<string, unknown> = {}) {
  const database = (db: string) => ({
    server: 'sql-dev01',
    database: db,
    backupDirectory: 'D:\\Backups',
    authentication: { type: 'sql', userName: 'dbmove', passwordEnv: 'SQLDEV_PASSWORD' },
    ...extra,
  });
  return [
    { name: 'sqlprod', type: 'production', engine: 'sqlserver', database: database('AxProd') },
    { name: 'sqldev', type: 'sandbox', engine: 'sqlserver', database: database('AxDB') },
  ];
}

function env(name: string, extra: Record<string, unknown> = {}): SqlServerEnvironment {
  const found = parseCatalog({ environments: environments(extra) }, '/virtual/environments.json').environments.find((e) => e.name === name);
  if (found?.engine !== 'sqlserver') throw new Error(name);
  return found;
}

function server(now: string, zone = 'Europe/Berlin'): { fake: FakeSqlServer; engine: SqlServerEngine } {
  const fake = new FakeSqlServer({ now: new Date(now), zone });
  fake.addDatabase('AxProd', foContent('sqlprod', 'production'));
  fake.addDatabase('AxDB', foContent('sqldev', 'sandbox'));
  return { fake, engine: new SqlServerEngine({ connections: fake.connections, pollIntervalMs: 5 }) };
}

describe('SQL Server engine against a mocked SQL Server (msdb, clock, statements)', function () {
  this.timeout(20_000);

  it("rolls back through the customer's own backups, taken without checksums: CHECKSUM only where msdb says the set has them, STOPAT as a datetime variable", async () => {
    const { fake, engine } = server('2026-01-15T12:00:00Z');
    // sqldev says who it is in its extended properties; its backups carry them.
    await engine.stampLiveIdentity(env('sqldev'), { environment: 'sqldev', type: 'sandbox', stampedAt: '2026-01-15T07:00:00.000Z' });
    // The customer's own backups: SQL Server's default is no backup checksums.
    fake.addBackup('AxDB', 'D', new Date('2026-01-15T08:00:00Z'));
    fake.addBackup('AxDB', 'L', new Date('2026-01-15T09:00:00Z'));
    const marker = await engine.markPointInTime(env('sqldev'), OP, testContext());
    await engine.copyToStaging(env('sqlprod'), env('sqldev'), OP, testContext());
    await engine.swapIn(env('sqldev'), OP, testContext());
    const rolledBack = await engine.restoreToMarker(env('sqldev'), marker, OP, testContext());

    const restores = fake.of('RESTORE DATABASE').filter((s) => s.sql.includes(`[AxDB_rb_${op}] FROM`));
    expect(restores).to.have.length(1);
    expect(restores[0].sql, 'the customer full backup has no checksums').not.to.include('CHECKSUM');
    const logs = fake.statements.filter((s) => s.sql.includes('RESTORE LOG'));
    expect(logs.map((s) => s.sql.includes('CHECKSUM'))).to.deep.equal([false, true]); // the customer's log, then dbmove's marker log
    for (const log of logs) expect(log.sql).to.match(/^DECLARE @stop_at datetime = CONVERT\(datetime, @p\d+, 126\); RESTORE LOG .* STOPAT = @stop_at$/);
    // STOPAT is the server's wall-clock time recorded at MARKER (Berlin, UTC+1 in January).
    expect(fake.restoredLogs.map((l) => l.stopAt)).to.deep.equal([fake.wallClock(new Date(marker.at)), fake.wallClock(new Date(marker.at))]);
    // The restored database is sqldev again, as its extended properties say (the swapped-in copy of production had none).
    expect(await engine.readIdentity(env('sqldev'))).to.include({ environment: 'sqldev', type: 'sandbox' });
    expect(rolledBack.notes.join(' ')).to.match(/the last WITH STOPAT/);
    // COPY restores dbmove's own backup, taken WITH CHECKSUM, and verifies it.
    expect(fake.of('BACKUP DATABASE [AxProd]')[0].sql).to.include('CHECKSUM');
    expect(fake.of(`RESTORE DATABASE [AxDB_stg_${op}] FROM`)[0].sql).to.include('CHECKSUM');
  });

  it('converts a restore time with the UTC offset msdb recorded around it, not the server offset of today (a summer time restored in winter)', async () => {
    const { fake, engine } = server('2026-11-02T12:00:00Z'); // Berlin, UTC+1 now
    fake.addBackup('AxDB', 'D', new Date('2026-07-01T00:00:00Z')); // UTC+2 then
    fake.addBackup('AxDB', 'L', new Date('2026-07-01T06:00:00Z'));
    const result = await engine.restoreToStaging(env('sqldev'), '2026-07-01T03:00:00.000Z', 'restore-sqlserver-0001', testContext());
    expect(fake.restoredLogs).to.have.length(1);
    expect(fake.restoredLogs[0].stopAt).to.equal('2026-07-01T05:00:00.000');
    expect(result.restoredTo).to.equal('2026-07-01T03:00:00.000Z');
    expect(result.notes.join(' ')).to.include('server time 2026-07-01T05:00:00.000');
  });

  it('refuses a restore time between backups taken on either side of a daylight-saving change, unless the catalog names the time zone; and a time in the repeated hour always', async () => {
    const setup = () => {
      const s = server('2026-11-02T12:00:00Z');
      s.fake.addBackup('AxDB', 'D', new Date('2026-10-24T12:00:00Z')); // CEST, UTC+2
      s.fake.addBackup('AxDB', 'L', new Date('2026-10-25T12:00:00Z')); // CET since 01:00Z that day
      return s;
    };
    const unplaced = setup();
    const refused = await unplaced.engine
      .restoreToStaging(env('sqldev'), '2026-10-25T06:00:00.000Z', 'restore-sqlserver-0002', testContext())
      .catch((e: Error) => e);
    expect((refused as Error).name).to.equal('UnsupportedByEngine');
    expect((refused as Error).message).to.match(/offset changed between .* from 120 to 60 minutes/);
    expect((refused as Error).message).to.include('database.timeZone');
    expect(unplaced.fake.of('RESTORE'), 'refused before any RESTORE').to.deep.equal([]);

    const zoned = setup();
    await zoned.engine.restoreToStaging(
      env('sqldev', { timeZone: 'W. Europe Standard Time' }),
      '2026-10-25T06:00:00.000Z',
      'restore-sqlserver-0003',
      testContext(),
    );
    expect(zoned.fake.restoredLogs.map((l) => l.stopAt)).to.deep.equal(['2026-10-25T07:00:00.000']);

    // 00:30Z and 01:30Z are both 02:30 on Berlin's clocks that night: STOPAT cannot tell them apart.
    const repeated = setup();
    const ambiguous = await repeated.engine
      .restoreToStaging(env('sqldev', { timeZone: 'W. Europe Standard Time' }), '2026-10-25T00:30:00.000Z', 'restore-sqlserver-0004', testContext())
      .catch((e: Error) => e);
    expect((ambiguous as Error).message).to.match(/2026-10-25T02:30:00.000, a wall-clock time that occurs twice/);
  });

  it('restore points: the window ends at the last log backup (not now), every time converted with its own recorded offset', async () => {
    const { fake, engine } = server('2026-11-02T12:00:00Z');
    fake.addBackup('AxDB', 'D', new Date('2026-07-01T00:00:00Z'));
    fake.addBackup('AxDB', 'L', new Date('2026-07-01T06:00:00Z'));
    fake.addBackup('AxDB', 'L', new Date('2026-11-01T06:00:00Z'));
    const window = await engine.restorePoints(env('sqldev'));
    expect(window).to.deep.include({ continuous: true, earliest: '2026-07-01T00:00:00.000Z', latest: '2026-11-01T06:00:00.000Z' });
  });

  it('SWAP renames with the statistics thread stopped first and restarted on the new name; a failed rename keeps its cause and leaves the database multi-user', async () => {
    const { fake, engine } = server('2026-01-15T12:00:00Z');
    fake.databases.get('AxDB')!.autoUpdateStatsAsync = true;
    fake.addBackup('AxProd', 'D', new Date('2026-01-15T08:00:00Z'));
    await engine.copyToStaging(env('sqlprod'), env('sqldev'), OP, testContext());
    fake.databases.get(`AxDB_stg_${op}`)!.autoUpdateStatsAsync = true;
    await engine.swapIn(env('sqldev'), OP, testContext());
    const renames = fake.statements.filter((s) => /^ALTER DATABASE|SINGLE_USER/.test(s.sql)).map((s) => s.sql.split(';')[0]);
    expect(renames).to.deep.equal([
      'ALTER DATABASE [AxDB] SET AUTO_UPDATE_STATISTICS_ASYNC OFF',
      'ALTER DATABASE [AxDB] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
      `ALTER DATABASE [AxDB_pre_${op}] SET AUTO_UPDATE_STATISTICS_ASYNC ON`,
      `ALTER DATABASE [AxDB_stg_${op}] SET AUTO_UPDATE_STATISTICS_ASYNC OFF`,
      `ALTER DATABASE [AxDB_stg_${op}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE`,
      'ALTER DATABASE [AxDB] SET AUTO_UPDATE_STATISTICS_ASYNC ON',
    ]);
    expect(fake.databases.get('AxDB')?.autoUpdateStatsAsync).to.equal(true);
    expect(fake.databases.get(`AxDB_pre_${op}`)?.autoUpdateStatsAsync).to.equal(true);

    // An application takes the one connection the moment the database is single-user.
    const second = server('2026-01-15T12:00:00Z');
    second.fake.databases.get('AxDB')!.autoUpdateStatsAsync = true;
    second.fake.addBackup('AxProd', 'D', new Date('2026-01-15T08:00:00Z'));
    await second.engine.copyToStaging(env('sqlprod'), env('sqldev'), OP, testContext());
    second.fake.grabbedWhenSingleUser.add('AxDB');
    const failed = await second.engine.swapIn(env('sqldev'), OP, testContext()).catch((e: Error) => e);
    expect(failed).to.be.instanceOf(ServerRefusal);
    const cause = (failed as ServerRefusal).precedingErrors.map((e) => e.message).join(' ');
    expect(cause, 'the cause reaches the caller').to.match(/could not be exclusively locked/);
    const live = second.fake.databases.get('AxDB')!;
    expect(live.singleUser, 'returned to MULTI_USER').to.equal(false);
    expect(live.autoUpdateStatsAsync, 'statistics option restored').to.equal(true);
    expect(second.fake.statements.at(-1)?.sql).to.equal('ALTER DATABASE [AxDB] SET AUTO_UPDATE_STATISTICS_ASYNC ON');
  });

  it('SIMPLE recovery: MARKER is a COPY_ONLY full backup, rollback restores it whole without STOPAT, restore points are the full backups', async () => {
    const { fake, engine } = server('2026-01-15T12:00:00Z');
    fake.databases.get('AxDB')!.recoveryModel = 'SIMPLE';
    fake.addBackup('AxDB', 'D', new Date('2026-01-14T20:00:00Z'));
    const uatContent = structuredClone(fake.databases.get('AxDB')!.content);
    const marker = await engine.markPointInTime(env('sqldev'), OP, testContext());
    const markerBackup = fake.backups.find((b) => b.name === `dbmove-marker-${op}`)!;
    expect(markerBackup).to.deep.include({ type: 'D', copyOnly: true, checksums: true });
    expect(marker.at).to.equal(new Date(Date.parse(`${markerBackup.finishedLocal}Z`) - 60 * 60_000).toISOString());
    expect(fake.of('BACKUP LOG'), 'no log backup under SIMPLE recovery').to.deep.equal([]);
    // A retried MARKER finds the backup it took.
    expect(await engine.markPointInTime(env('sqldev'), OP, testContext())).to.deep.equal(marker);
    expect(fake.backups.filter((b) => b.name === `dbmove-marker-${op}`)).to.have.length(1);

    const window = await engine.restorePoints(env('sqldev'));
    expect(window.continuous).to.equal(false);
    expect(window.points.map((p) => p.at)).to.deep.equal(['2026-01-14T20:00:00.000Z', marker.at]);

    const restored = await engine.restoreToStaging(env('sqldev'), '2026-01-15T00:00:00.000Z', 'restore-sqlserver-0005', testContext());
    expect(restored.restoredTo, 'the latest full backup at or before the time').to.equal('2026-01-14T20:00:00.000Z');

    await engine.copyToStaging(env('sqlprod'), env('sqldev'), OP, testContext());
    await engine.swapIn(env('sqldev'), OP, testContext());
    await engine.restoreToMarker(env('sqldev'), marker, OP, testContext());
    expect(fake.statements.filter((s) => s.sql.includes('RESTORE LOG'))).to.deep.equal([]);
    const restore = fake.of(`RESTORE DATABASE [AxDB_rb_${op}] FROM`)[0];
    expect(restore.sql).to.match(/REPLACE, RECOVERY, CHECKSUM, STATS = 5$/);
    expect(restore.params[0]).to.equal(markerBackup.files[0]);
    expect(fake.databases.get('AxDB')?.content).to.deep.equal(uatContent);
    expect(fake.databases.get('AxDB')?.recoveryModel).to.equal('SIMPLE');
  });

  it("export writes the source environment's name into the backup description, never [object Object]", async () => {
    const { fake, engine } = server('2026-01-15T12:00:00Z');
    fake.addDatabase(`AxDB_stg_${op}`, foContent('sqldev', 'sandbox'));
    const manifest = {
      operationId: OP,
      createdAt: '2026-01-15T12:00:00.000Z',
      source: { environment: 'sqldev', type: 'sandbox', engine: 'sqlserver' },
      versions: {},
      policy: { sources: ['export-scrub.json'], elements: [] },
    };
    await engine.exportStaging(env('sqldev'), OP, 'D:\\Exports\\sqldev.bak', manifest, testContext());
    const [backup] = fake.of(`BACKUP DATABASE [AxDB_stg_${op}]`);
    expect(backup.params[2]).to.equal(`dbmove export of sqldev (${OP})`);
    expect(String(backup.params[2])).not.to.include('[object');
  });
});
