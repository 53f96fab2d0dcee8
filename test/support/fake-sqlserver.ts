import * as crypto from 'node:crypto';
import type { ConnectionFactory, ConnectionTarget, TsqlConnection, TsqlResult } from '../../engines/tsql/tsql-connection';
import * as admin from '../../engines/sqlserver/admin-sql';
import { FakeContent, NoAnswer, RecordingDataPlane } from './recording-tsql';

/**
 * MOCK of a SQL Server instance, because none can be reached here: the server-level state the
 * SQL Server engine reads and changes through master (sys.databases, msdb's backup history, the
 * server clock and its UTC offset), answering the engine's own statements (admin-sql.ts) and
 * recording every one. User databases answer through the recording data plane (their F&O
 * facts and schema), so PRECHECK and the data plane run unchanged.
 *
 * It enforces what the real server is documented to refuse, so a test can fail the way a server
 * would: RESTORE ... WITH CHECKSUM of a backup set without backup checksums; STOPAT given as
 * anything but a datetime variable; MODIFY NAME while another connection holds the
 * single-user database (the background statistics thread, or an application); a restore from
 * a file no backup wrote. Those refusals carry two messages, the cause and the summary, as
 * SQL Server sends them (mssql raises the last with the others in `precedingErrors`). The
 * message texts are this mock's, not copies of the server's.
 *
 * It does not run backups or restores: a restored database gets a copy of the content the
 * backup was taken from, and STOPAT is recorded, not applied.
 */
export interface FakeBackupSet {
  id: number;
  type: 'D' | 'L';
  copyOnly: boolean;
  name: string | null;
  description: string | null;
  databaseName: string;
  databaseGuid: string;
  firstLsn: bigint;
  lastLsn: bigint;
  /** The server's wall-clock time when the backup finished. */
  finishedLocal: string;
  /** msdb's time_zone: the server's UTC offset then, in 15-minute steps (127 unknown). */
  timeZone: number;
  checksums: boolean;
  files: string[];
  bytes: number;
  /** What a restore of this backup brings back: the content, and the recovery model it had. */
  content: FakeContent;
  recoveryModel: FakeDatabase['recoveryModel'];
}

export interface FakeDatabase {
  name: string;
  state: 'ONLINE' | 'RESTORING' | 'OFFLINE';
  recoveryModel: 'FULL' | 'SIMPLE' | 'BULK_LOGGED';
  guid: string;
  autoUpdateStatsAsync: boolean;
  logChainStarted: boolean;
  singleUser: boolean;
  content: FakeContent;
}

export interface RestoredLog {
  database: string;
  files: string[];
  stopAt: string;
}

/** A DbmoveError-like server refusal: the cause first, the summary last (as mssql reports them). */
export class ServerRefusal extends Error {
  constructor(
    cause: { message: string; number: number },
    summary: { message: string; number: number },
    readonly precedingErrors = [Object.assign(new Error(cause.message), { number: cause.number })],
  ) {
    super(summary.message);
    this.name = 'RequestError';
    (this as unknown as { number: number }).number = summary.number;
  }
}

/** Windows time zones this mock converts with AT TIME ZONE, through the equivalent IANA zone. */
const ZONES: Record<string, string> = { 'W. Europe Standard Time': 'Europe/Berlin', 'Eastern Standard Time': 'America/New_York', UTC: 'UTC' };

/** Minutes east of UTC in an IANA zone at an instant. */
export function ianaOffset(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

const wall = (utc: number, offsetMinutes: number) => new Date(utc + offsetMinutes * 60_000).toISOString().slice(0, 23);

export class FakeSqlServer {
  readonly statements: { database: string; sql: string; params: unknown[] }[] = [];
  readonly databases = new Map<string, FakeDatabase>();
  readonly backups: FakeBackupSet[] = [];
  readonly restoredLogs: RestoredLog[] = [];
  readonly plane: RecordingDataPlane;
  readonly connections: ConnectionFactory;
  /** The server's clock (UTC) and its IANA time zone (the OS time zone SYSDATETIME follows). */
  now: Date;
  zone: string;
  /** Names of databases another connection grabs as soon as they are single-user (an application reconnecting). */
  readonly grabbedWhenSingleUser = new Set<string>();
  private nextId = 1;
  private lsn = 1_000_000n;

  constructor(options: { now: Date; zone?: string }) {
    this.now = options.now;
    this.zone = options.zone ?? 'UTC';
    this.plane = new RecordingDataPlane((target) => {
      const db = this.databases.get(target.database);
      return db?.state === 'ONLINE' ? db.content : undefined;
    });
    this.connections = (target) => new FakeConnection(this, target);
  }

  get offsetMinutes(): number {
    return ianaOffset(this.zone, this.now);
  }

  /** The server's wall-clock text at an instant, by its own zone. */
  wallClock(at: Date): string {
    return wall(at.getTime(), ianaOffset(this.zone, at));
  }

  addDatabase(name: string, content: FakeContent, options: Partial<Omit<FakeDatabase, 'name' | 'content'>> = {}): FakeDatabase {
    const db: FakeDatabase = {
      name,
      state: 'ONLINE',
      recoveryModel: 'FULL',
      guid: crypto.randomUUID(),
      autoUpdateStatsAsync: false,
      logChainStarted: true,
      singleUser: false,
      content,
      ...options,
    };
    this.databases.set(name, db);
    return db;
  }

  /** A backup the customer (or anyone but dbmove) took, at `at`; SQL Server's default is no checksums. */
  addBackup(database: string, type: 'D' | 'L', at: Date, options: Partial<FakeBackupSet> = {}): FakeBackupSet {
    const db = this.databases.get(database);
    if (!db) throw new Error(`No database ${database}`);
    const firstLsn = type === 'D' ? this.lsn : (this.lastLogLsn(db.guid) ?? this.lsn);
    this.lsn += 1000n;
    const set: FakeBackupSet = {
      id: this.nextId++,
      type,
      copyOnly: false,
      name: null,
      description: null,
      databaseName: database,
      databaseGuid: db.guid,
      firstLsn,
      lastLsn: this.lsn,
      finishedLocal: this.wallClock(at),
      timeZone: ianaOffset(this.zone, at) / 15,
      checksums: false,
      files: [`D:\\Backups\\${database}_${type}_${this.nextId}.bak`],
      bytes: 1_048_576,
      content: structuredClone(db.content),
      recoveryModel: db.recoveryModel,
      ...options,
    };
    this.backups.push(set);
    if (type === 'D') db.logChainStarted = true;
    return set;
  }

  private lastLogLsn(guid: string): bigint | undefined {
    const sets = this.backups.filter((b) => b.databaseGuid === guid && !b.copyOnly).sort((a, b) => (a.lastLsn < b.lastLsn ? -1 : 1));
    return sets.at(-1)?.lastLsn;
  }

  of(prefix: string): { database: string; sql: string; params: unknown[] }[] {
    return this.statements.filter((s) => s.sql.startsWith(prefix));
  }

  answer(target: ConnectionTarget, sql: string, params: readonly unknown[]): TsqlResult {
    if (target.database !== 'master') return this.plane.answer(target, sql, params);
    this.statements.push({ database: 'master', sql, params: [...params] });
    const rows = (r: Record<string, unknown>[]) => ({ rows: r, rowsAffected: 0 });
    const done = { rows: [], rowsAffected: 0 };
    const named = (i: number) => this.databases.get(String(params[i]));
    const bracketed = () => [...sql.matchAll(/\[([A-Za-z0-9_-]+)\]/g)].map((m) => m[1]);

    if (sql === admin.databaseStates(params.map(String)).sql) {
      return rows(
        params
          .map((p) => this.databases.get(String(p)))
          .filter((d): d is FakeDatabase => d !== undefined)
          .map((d) => ({
            name: d.name,
            state: d.state,
            recoveryModel: d.recoveryModel,
            autoUpdateStatsAsync: d.autoUpdateStatsAsync,
            databaseGuid: d.guid.toUpperCase(),
            logChainStarted: d.logChainStarted ? 1 : 0,
          })),
      );
    }
    if (sql === admin.SERVER_TIME.sql) {
      // tedious reads datetime2 as if it were UTC: SYSDATETIME() arrives with the local digits.
      return rows([{ utc: new Date(this.now), serverLocal: new Date(`${this.wallClock(this.now)}Z`), offsetMinutes: this.offsetMinutes }]);
    }
    if (sql === admin.DEFAULT_PATHS.sql) return rows([{ dataPath: 'E:\\Data', logPath: 'F:\\Log' }]);
    if (sql === admin.sessionId().sql) return rows([{ spid: 57 }]);
    if (sql === admin.requestProgress(0).sql) return rows([{ percent: 50 }]);
    if (sql === admin.backupByName(String(params[0])).sql) {
      const set = this.backups.filter((b) => b.name === params[0]).at(-1);
      return rows(
        set
          ? [
              {
                id: set.id,
                type: set.type,
                databaseGuid: set.databaseGuid.toUpperCase(),
                databaseName: set.databaseName,
                description: set.description,
                bytes: set.bytes,
                finishedLocal: set.finishedLocal,
                timeZone: set.timeZone,
              },
            ]
          : [],
      );
    }
    if (sql === admin.backupHistory(String(params[0])).sql) {
      return rows(
        this.backups
          .filter((b) => b.databaseGuid.toLowerCase() === String(params[0]).toLowerCase())
          .sort((a, b) => (a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : a.id - b.id))
          .flatMap((b) =>
            b.files.map((file) => ({
              id: b.id,
              type: b.type,
              isCopyOnly: b.copyOnly,
              name: b.name,
              description: b.description,
              firstLsn: String(b.firstLsn),
              lastLsn: String(b.lastLsn),
              startedLocal: b.finishedLocal,
              finishedLocal: b.finishedLocal,
              timeZone: b.timeZone,
              hasChecksums: b.checksums,
              bytes: b.bytes,
              file,
            })),
          ),
      );
    }
    if (sql === admin.wallClockIn(String(params[0]), String(params[1])).sql) {
      const iana = ZONES[String(params[1])];
      if (!iana) throw new Error(`The time zone parameter '${String(params[1])}' provided to AT TIME ZONE clause is invalid (mock).`);
      const at = Date.parse(String(params[0]));
      const local = (ms: number) => wall(ms, ianaOffset(iana, new Date(ms)));
      return rows([{ wallClock: local(at), hourBefore: local(at - 3_600_000), hourAfter: local(at + 3_600_000) }]);
    }
    if (sql.startsWith('RESTORE FILELISTONLY')) {
      this.backupOfFile(String(params[0]));
      return rows([
        { LogicalName: 'AxDB', Type: 'D', FileId: 1 },
        { LogicalName: 'AxDB_log', Type: 'L', FileId: 2 },
      ]);
    }
    if (/^BACKUP (DATABASE|LOG) /.test(sql)) {
      const [database] = bracketed();
      const db = this.databases.get(database);
      if (!db) throw new Error(`Database '${database}' does not exist (mock).`);
      const type = sql.startsWith('BACKUP LOG') ? 'L' : 'D';
      if (type === 'L' && db.recoveryModel === 'SIMPLE')
        throw new ServerRefusal(
          { message: `The statement BACKUP LOG is not allowed while the recovery model is SIMPLE (mock).`, number: 4208 },
          { message: 'BACKUP LOG is terminating abnormally.', number: 3013 },
        );
      this.now = new Date(this.now.getTime() + 1000);
      this.addBackup(database, type, this.now, {
        copyOnly: /\bCOPY_ONLY\b/.test(sql),
        checksums: /\bCHECKSUM\b/.test(sql),
        name: String(params[1]),
        description: String(params[2]),
        files: [String(params[0])],
      });
      return done;
    }
    if (/^DECLARE @stop_at datetime = CONVERT\(datetime, @p\d+, 126\); RESTORE LOG /.test(sql) || sql.startsWith('RESTORE LOG ')) {
      const stop = /STOPAT = (@\w+)/.exec(sql)?.[1];
      if (stop !== '@stop_at' || !/DECLARE @stop_at datetime/.test(sql))
        throw new ServerRefusal(
          { message: `STOPAT takes a varchar, char, smalldatetime or datetime value, not ${stop} bound as nvarchar (mock).`, number: 3024 },
          { message: 'RESTORE LOG is terminating abnormally.', number: 3013 },
        );
      const [database] = bracketed();
      const files = params.slice(0, -1).map(String);
      for (const file of files) this.checkChecksum(this.backupOfFile(file), sql, 'LOG');
      const db = this.databases.get(database);
      if (db?.state !== 'RESTORING') throw new Error(`The database ${database} is not in the restoring state (mock).`);
      this.restoredLogs.push({ database, files, stopAt: String(params[params.length - 1]) });
      return done;
    }
    if (/^RESTORE DATABASE \[[^\]]+\] FROM /.test(sql)) {
      const [database] = bracketed();
      const files = params.filter((p, i) => sql.includes(`DISK = @p${i}`)).map(String);
      const sets = files.map((f) => this.backupOfFile(f));
      for (const set of sets) this.checkChecksum(set, sql, 'DATABASE');
      const source = sets[0];
      const existing = this.databases.get(database);
      if (existing && !/\bREPLACE\b/.test(sql)) throw new Error(`The database ${database} already exists (mock).`);
      this.addDatabase(database, structuredClone(source.content), {
        state: /\bNORECOVERY\b/.test(sql) ? 'RESTORING' : 'ONLINE',
        recoveryModel: source.recoveryModel,
      });
      return done;
    }
    if (/^RESTORE DATABASE \[[^\]]+\] WITH RECOVERY$/.test(sql)) {
      const db = this.databases.get(bracketed()[0]);
      if (!db) throw new Error('No such database (mock)');
      db.state = 'ONLINE';
      return done;
    }
    const m = /^ALTER DATABASE \[([^\]]+)\] SET AUTO_UPDATE_STATISTICS_ASYNC (ON|OFF)$/.exec(sql);
    if (m) {
      const db = this.databases.get(m[1]);
      if (!db) throw new Error(`Database '${m[1]}' does not exist (mock).`);
      db.autoUpdateStatsAsync = m[2] === 'ON';
      return done;
    }
    if (sql === admin.renameDatabase(bracketed()[0] ?? 'x', bracketed()[2] ?? 'y').sql) {
      const [from, , to] = bracketed();
      const db = this.databases.get(from);
      if (!db) throw new Error(`Database '${from}' does not exist (mock).`);
      db.singleUser = true;
      // The one connection single-user mode allows goes to whoever asks first: the statistics
      // thread (AUTO_UPDATE_STATISTICS_ASYNC ON), or an application that reconnects.
      if (db.autoUpdateStatsAsync || this.grabbedWhenSingleUser.has(from)) {
        throw new ServerRefusal(
          { message: `The database could not be exclusively locked to perform the operation (mock: another connection holds ${from}).`, number: 5030 },
          { message: 'ALTER DATABASE statement failed.', number: 5069 },
        );
      }
      if (this.databases.has(to)) throw new Error(`The database '${to}' already exists (mock).`);
      this.databases.delete(from);
      db.name = to;
      db.singleUser = false;
      this.databases.set(to, db);
      return done;
    }
    if (sql === admin.multiUser(String(params[0])).sql) {
      const db = named(0);
      if (db) db.singleUser = false;
      return done;
    }
    if (sql === admin.dropDatabase(String(params[0])).sql) {
      this.databases.delete(String(params[0]));
      return done;
    }
    throw new NoAnswer(`The SQL Server mock has no answer for: ${sql}`);
  }

  private backupOfFile(file: string): FakeBackupSet {
    const set = this.backups.find((b) => b.files.includes(file));
    if (!set)
      throw new ServerRefusal(
        { message: `Cannot open backup device '${file}'. Operating system error 2 (mock).`, number: 3201 },
        { message: 'RESTORE is terminating abnormally.', number: 3013 },
      );
    return set;
  }

  private checkChecksum(set: FakeBackupSet, sql: string, what: 'DATABASE' | 'LOG'): void {
    if (/\bCHECKSUM\b/.test(sql) && !set.checksums)
      throw new ServerRefusal(
        { message: 'RESTORE WITH CHECKSUM cannot be specified because the backup set does not contain checksum information (mock).', number: 3250 },
        { message: `RESTORE ${what} is terminating abnormally.`, number: 3013 },
      );
  }
}

class FakeConnection implements TsqlConnection {
  constructor(
    private readonly server: FakeSqlServer,
    private readonly target: ConnectionTarget,
  ) {}

  async run(sql: string, params: readonly unknown[]): Promise<TsqlResult> {
    return this.server.answer(this.target, sql, params);
  }
  async begin(): Promise<void> {}
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}
  async close(): Promise<void> {}
}
