import { UnsupportedByEngine } from '../../common/errors';
import { ENGINE_CAPABILITIES } from '../capabilities';
import type { SqlServerEnvironment } from '../../config/catalog';
import { derivedNames, DerivedNames, shortOperationId } from '../azure-sql/names';
import { sleep } from '../abort';
import type {
  BackupManifest,
  CopyResult,
  DatabaseEngine,
  DatabaseFacts,
  DatabaseIdentity,
  DataSession,
  EngineCapabilities,
  EngineContext,
  ExportResult,
  Holding,
  Marker,
  RestoreResult,
  RestoreWindow,
  SealResult,
  StagingAddress,
  SwapResult,
} from '../port';
import { readIdentityProperties, writeIdentityProperties } from '../tsql/identity-properties';
import { tsqlPrincipals } from '../tsql/principals';
import { mssqlConnectionFactory } from '../tsql/mssql-connection';
import type { ConnectionFactory, TsqlConnection } from '../tsql/tsql-connection';
import { TsqlSession } from '../tsql/tsql-session';
import { utcIso, wallClock } from '../tsql/server-time';
import * as admin from './admin-sql';
import {
  BackupRow,
  BackupSet,
  groupBackupSets,
  NoRestoreChain,
  localToUtc,
  offsetFromTimeZone,
  RestoreChain,
  restoreChain,
  wallClockFromBackups,
} from './backup-chain';

/**
 * SQL Server (on-premises, development machines) behind the engine port, in T-SQL only,
 * sharing the data plane (dialect, session, policies) with Azure SQL:
 *
 *   COPY      BACKUP DATABASE ... COPY_ONLY on the source, RESTORE ... WITH MOVE as staging
 *   MARKER    the server's time, then a COPY_ONLY log backup that contains it (FULL recovery);
 *             under SIMPLE or BULK_LOGGED recovery a COPY_ONLY full backup is the marker
 *   SWAP      ALTER DATABASE ... MODIFY NAME (single-user for the moment of each rename)
 *   rollback  the backup chain up to the marker log backup, RESTORE LOG ... WITH STOPAT into
 *             a new database (or the marker full backup, restored whole), then the rename swap
 *
 * The server's own state (sys.databases, msdb's backup history) is the journal: every method
 * reads it before acting, so a retried activity continues instead of repeating.
 *
 * Backup files are written under the catalog's backupDirectory, named after the operation,
 * and are left there for the server's own file retention (T-SQL cannot delete files).
 */
export interface SqlServerEngineOptions {
  connections?: ConnectionFactory;
  secret?: (name: string) => string | undefined;
  /** How often a running BACKUP or RESTORE is asked for its percent complete. */
  pollIntervalMs?: number;
}

interface DbState {
  name: string;
  state: string;
  recoveryModel: string;
  autoUpdateStatsAsync: boolean | number;
  databaseGuid: string | null;
  logChainStarted: number;
}

const MARKER_DESCRIPTION = /utc=(\S+); local=(\S+)/;
/** The description of a marker that is a full backup (no log chain to stop in). */
const FULL_MARKER_DESCRIPTION = /^dbmove marker of \S+; full backup/;

interface NamedBackup {
  id: number;
  type: string;
  databaseGuid: string;
  databaseName: string;
  description: string;
  bytes: number | string | null;
  finishedLocal: string;
  timeZone: number | null;
}

export class SqlServerEngine implements DatabaseEngine<SqlServerEnvironment> {
  readonly kind = 'sqlserver' as const;
  readonly capabilities: EngineCapabilities = ENGINE_CAPABILITIES.sqlserver;
  private readonly connections: ConnectionFactory;
  private readonly pollIntervalMs: number;

  constructor(options: SqlServerEngineOptions = {}) {
    const secret = options.secret ?? ((name: string) => process.env[name]);
    this.connections = options.connections ?? mssqlConnectionFactory({ secret });
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
  }

  private connect(env: SqlServerEnvironment, database: string): TsqlConnection {
    const [host, instanceName] = env.database.server.split('\\');
    return this.connections({
      environment: env.name,
      host,
      instanceName,
      port: env.database.port,
      database,
      authentication: env.database.authentication,
      trustServerCertificate: env.database.trustServerCertificate,
      requestTimeoutMs: 0,
    });
  }

  private async withMaster<T>(env: SqlServerEnvironment, fn: (master: TsqlConnection) => Promise<T>): Promise<T> {
    const master = this.connect(env, 'master');
    try {
      return await fn(master);
    } finally {
      await master.close();
    }
  }

  private names(env: SqlServerEnvironment, operationId: string): DerivedNames {
    return derivedNames(env.database.database, operationId);
  }

  private location(env: SqlServerEnvironment, database: string): string {
    return `${env.database.server}/${database}`;
  }

  private backupFile(env: SqlServerEnvironment, name: string): string {
    const dir = env.database.backupDirectory;
    const sep = dir.includes('\\') ? '\\' : '/';
    return `${dir.replace(/[\\/]+$/, '')}${sep}${name}.bak`;
  }

  private async states(master: TsqlConnection, names: string[]): Promise<Map<string, DbState>> {
    const q = admin.databaseStates(names);
    const rows = (await master.run(q.sql, q.params)).rows as unknown as DbState[];
    return new Map(rows.map((r) => [r.name, r]));
  }

  private async named(master: TsqlConnection, name: string): Promise<NamedBackup | undefined> {
    const q = admin.backupByName(name);
    return (await master.run(q.sql, q.params)).rows[0] as unknown as NamedBackup | undefined;
  }

  private async clock(master: TsqlConnection): Promise<{ utc: string; local: string; offsetMinutes: number }> {
    const row = (await master.run(admin.SERVER_TIME.sql, [])).rows[0] as { utc: unknown; serverLocal: unknown; offsetMinutes: number };
    return { utc: utcIso(row.utc), local: wallClock(row.serverLocal), offsetMinutes: Number(row.offsetMinutes) };
  }

  /** The database's backup sets from msdb, each with its finish time in UTC (its own recorded offset). */
  private async history(master: TsqlConnection, guid: string): Promise<BackupSet[]> {
    const { offsetMinutes } = await this.clock(master);
    const q = admin.backupHistory(guid);
    return groupBackupSets((await master.run(q.sql, q.params)).rows as unknown as BackupRow[], offsetMinutes);
  }

  /** When a named backup finished, as an instant (its own recorded offset, else the server's current one). */
  private async finishedUtc(master: TsqlConnection, backup: NamedBackup): Promise<string> {
    const offset = offsetFromTimeZone(backup.timeZone) ?? (await this.clock(master)).offsetMinutes;
    return new Date(localToUtc(backup.finishedLocal, offset)).toISOString();
  }

  /** Runs a BACKUP or RESTORE and reports its percent complete (from a second connection) as progress. */
  private async runWithProgress(
    env: SqlServerEnvironment,
    conn: TsqlConnection,
    statement: admin.RenderedAdmin,
    ctx: EngineContext,
    from: number,
    to: number,
    label: string,
  ) {
    const id = admin.sessionId();
    const spid = Number((await conn.run(id.sql, id.params)).rows[0]?.spid);
    let done = false;
    const stop = new AbortController();
    const watch = (async () => {
      const watcher = this.connect(env, 'master');
      try {
        while (!done) {
          await sleep(this.pollIntervalMs, stop.signal).catch(() => undefined);
          if (done) break;
          const q = admin.requestProgress(spid);
          const percent = Number((await watcher.run(q.sql, q.params)).rows[0]?.percent ?? 0);
          ctx.progress(from + ((to - from) * percent) / 100, `${label}: ${percent.toFixed(0)}%`);
        }
      } finally {
        await watcher.close();
      }
    })();
    try {
      return await conn.run(statement.sql, statement.params);
    } finally {
      done = true;
      stop.abort();
      await watch.catch(() => undefined);
      ctx.progress(to, label);
    }
  }

  readonly principals = tsqlPrincipals;

  async readIdentity(env: SqlServerEnvironment): Promise<DatabaseIdentity | undefined> {
    const session = await this.openLive(env);
    try {
      return await readIdentityProperties(session);
    } finally {
      await session.close();
    }
  }

  async stampStagingIdentity(target: SqlServerEnvironment, operationId: string, identity: DatabaseIdentity): Promise<void> {
    const session = await this.openStaging(target, operationId);
    try {
      await writeIdentityProperties(session, identity);
    } finally {
      await session.close();
    }
  }

  async stampLiveIdentity(env: SqlServerEnvironment, identity: DatabaseIdentity): Promise<void> {
    const session = new TsqlSession(this.connect(env, env.database.database), `${env.name} (live, identity)`, false);
    try {
      await writeIdentityProperties(session, identity);
    } finally {
      await session.close();
    }
  }

  stagingAddress(target: SqlServerEnvironment, operationId: string): StagingAddress {
    const { staging } = this.names(target, operationId);
    return { location: this.location(target, staging), server: target.database.server, database: staging };
  }

  async inspect(env: SqlServerEnvironment): Promise<DatabaseFacts> {
    const live = env.database.database;
    const states = await this.withMaster(env, (m) => this.states(m, [live]));
    return { exists: states.has(live), location: this.location(env, live) };
  }

  async openLive(env: SqlServerEnvironment): Promise<DataSession> {
    const e = env;
    return new TsqlSession(this.connect(e, e.database.database), `${env.name} (live, read-only)`, true);
  }

  async openStaging(target: SqlServerEnvironment, operationId: string): Promise<DataSession> {
    const { staging } = this.names(target, operationId);
    const state = (await this.withMaster(target, (m) => this.states(m, [staging]))).get(staging);
    if (state?.state !== 'ONLINE')
      throw new Error(`The staging database ${this.location(target, staging)} ${state ? `is ${state.state}` : 'does not exist'}; run the COPY step first`);
    return new TsqlSession(this.connect(target, staging), `${target.name} (staging of ${operationId})`, false);
  }

  async markPointInTime(target: SqlServerEnvironment, operationId: string, ctx: EngineContext): Promise<Marker> {
    const env = target;
    const live = env.database.database;
    const op = shortOperationId(operationId);
    const name = `dbmove-marker-${op}`;
    return this.withMaster(target, async (master) => {
      const state = (await this.states(master, [live])).get(live);
      if (!state) throw new Error(`${target.name}'s database ${this.location(target, live)} does not exist`);
      const earlier = await this.named(master, name);
      if (earlier && earlier.databaseGuid?.toLowerCase() === state.databaseGuid?.toLowerCase()) {
        const recorded = MARKER_DESCRIPTION.exec(earlier.description ?? '');
        if (recorded) {
          ctx.log(`Marker log backup ${name} already taken at ${recorded[1]}`);
          return { environment: target.name, at: recorded[1], restorePoint: name };
        }
        if (FULL_MARKER_DESCRIPTION.test(earlier.description ?? '')) {
          const at = await this.finishedUtc(master, earlier);
          ctx.log(`Marker full backup ${name} already taken, finished at ${at}`);
          return { environment: target.name, at, restorePoint: name };
        }
      }
      if (state.recoveryModel !== 'FULL') return this.markWithFullBackup(env, master, state, name, operationId, ctx);
      if (!Number(state.logChainStarted)) {
        // No full backup since FULL recovery was set: the log chain has not started yet.
        const base = admin.backupChainBase(
          live,
          this.backupFile(env, `${live}_base_${op}`),
          `dbmove-base-${op}`,
          `dbmove: first full backup of ${live}, the base of its log chain`,
        );
        await this.runWithProgress(env, master, base, ctx, 0, 90, `full backup of ${live} (its first: the log chain starts here)`);
      }
      const time = await this.clock(master);
      const log = admin.backupLogMarker(
        live,
        this.backupFile(env, `${live}_marker_${op}`),
        name,
        `dbmove marker of ${operationId}; utc=${time.utc}; local=${time.local}`,
      );
      await master.run(log.sql, log.params);
      ctx.progress(100, 'marker log backup taken');
      return { environment: target.name, at: time.utc, restorePoint: name };
    });
  }

  /**
   * MARKER of a database in SIMPLE (or BULK_LOGGED) recovery: no log backup can take it to an
   * instant (SIMPLE keeps no log chain; a log backup holding minimally logged work cannot be
   * restored to a point within it), so the marker is a COPY_ONLY full backup, Microsoft's
   * restore unit for these models. Rollback restores it whole, without STOPAT; the marker's
   * time is when the backup finished, the state it holds. COPY_ONLY leaves the customer's
   * differential base alone.
   */
  private async markWithFullBackup(
    env: SqlServerEnvironment,
    master: TsqlConnection,
    state: DbState,
    name: string,
    operationId: string,
    ctx: EngineContext,
  ): Promise<Marker> {
    const live = env.database.database;
    const file = this.backupFile(env, `${live}_marker_${shortOperationId(operationId)}`);
    const description = `dbmove marker of ${operationId}; full backup (${state.recoveryModel} recovery: no log backup can stop at an instant)`.slice(0, 255);
    await this.runWithProgress(env, master, admin.backupCopyOnly(live, file, name, description), ctx, 0, 100, `full backup of ${live} as the marker`);
    const taken = await this.named(master, name);
    if (!taken) throw new Error(`msdb does not list the marker backup ${name} of ${this.location(env, live)} that was just taken`);
    const at = await this.finishedUtc(master, taken);
    ctx.log(`Marker: COPY_ONLY full backup ${name} of ${live} (${state.recoveryModel} recovery), finished ${at}`);
    return { environment: env.name, at, restorePoint: name };
  }

  async copyToStaging(source: SqlServerEnvironment, target: SqlServerEnvironment, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const src = source;
    const tgt = target;
    const { staging } = this.names(target, operationId);
    const op = shortOperationId(operationId);
    const started = performance.now();
    const existing = (await this.withMaster(target, (m) => this.states(m, [staging]))).get(staging);
    const holding: Holding = { kind: 'staging', environment: target.name, location: this.location(target, staging) };
    if (existing?.state === 'ONLINE') {
      return { bytes: 0, durationMs: 0, staging: holding, resumed: true, notes: [`${holding.location} was already restored by an earlier attempt`] };
    }
    // The backup is written by the source server and read by the target's: with two servers,
    // backupDirectory must be a share both service accounts reach.
    const file = this.backupFile(src, `${src.database.database}_copy_${op}`);
    const backupName = `dbmove-copy-${op}`;
    const bytes = await this.withMaster(source, async (master) => {
      const backup = admin.backupCopyOnly(src.database.database, file, backupName, `dbmove: copy of ${src.database.database} for ${operationId}`);
      await this.runWithProgress(src, master, backup, ctx, 0, 45, `backing up ${source.name}`);
      const q = admin.backupByName(backupName);
      return Number((await master.run(q.sql, q.params)).rows[0]?.bytes ?? 0);
    });
    // dbmove's own backup, taken WITH CHECKSUM: the restore verifies it.
    await this.withMaster(target, (master) => this.restoreFiles(tgt, master, staging, [file], true, true, ctx, 50, 100, `restoring into ${staging}`));
    return {
      bytes,
      durationMs: performance.now() - started,
      staging: { ...holding, bytes },
      resumed: false,
      notes: [
        `BACKUP DATABASE ${src.database.database} WITH COPY_ONLY to ${file} (the source's backup chain is untouched), restored WITH MOVE as ${holding.location}`,
      ],
    };
  }

  /** RESTORE DATABASE from `files` into `database`, every file moved to the target's data and log paths. */
  private async restoreFiles(
    env: SqlServerEnvironment,
    master: TsqlConnection,
    database: string,
    files: string[],
    recovery: boolean,
    checksum: boolean,
    ctx: EngineContext,
    from: number,
    to: number,
    label: string,
  ) {
    const list = admin.fileList(files);
    const logical = (await master.run(list.sql, list.params)).rows as { LogicalName: string; Type: string; FileId: number }[];
    const paths = (await master.run(admin.DEFAULT_PATHS.sql, [])).rows[0] as { dataPath: string | null; logPath: string | null };
    const moves = logical.map((f) => {
      const dir = env.database.dataDirectory ?? (f.Type === 'L' ? paths.logPath : paths.dataPath);
      if (!dir) throw new Error(`${env.database.server} reports no default data path; set dataDirectory for ${env.name} in the catalog`);
      const sep = dir.includes('\\') ? '\\' : '/';
      const ext = f.Type === 'L' ? '.ldf' : f.Type === 'S' ? '' : Number(f.FileId) === 1 ? '.mdf' : '.ndf';
      return {
        logicalName: f.LogicalName,
        physicalName: `${dir.replace(/[\\/]+$/, '')}${sep}${database}_${f.LogicalName.replace(/[^A-Za-z0-9_]/g, '_')}${ext}`,
      };
    });
    await this.runWithProgress(env, master, admin.restoreDatabase(database, files, moves, recovery, checksum), ctx, from, to, label);
  }

  /**
   * Restores `database` to the instant `stopAtUtc` from the backup chain of the database with
   * `guid`. STOPAT takes the server's wall-clock time: `knownLocal` when it was read at that
   * instant (a marker), else the time converted for that instant (wallClock).
   */
  private async restoreToTime(
    env: SqlServerEnvironment,
    master: TsqlConnection,
    guid: string,
    label: string,
    database: string,
    stopAtUtc: number,
    knownLocal: string | undefined,
    ctx: EngineContext,
  ): Promise<{ chain: RestoreChain; local: string }> {
    const chain = restoreChain(await this.history(master, guid), stopAtUtc, label);
    const local = knownLocal ?? (await this.wallClock(env, master, chain, stopAtUtc));
    await this.restoreFiles(env, master, database, chain.base.files, false, chain.base.checksums, ctx, 0, 70, `restoring the full backup of ${label}`);
    for (const [i, log] of chain.logs.entries()) {
      const statement = admin.restoreLog(database, log.files, local, log.checksums);
      await master.run(statement.sql, statement.params);
      ctx.progress(70 + (25 * (i + 1)) / chain.logs.length, `restored log backup ${i + 1} of ${chain.logs.length}`);
    }
    const recover = admin.recoverDatabase(database);
    await master.run(recover.sql, recover.params);
    return { chain, local };
  }

  /**
   * The server's wall-clock time at `stopAtUtc`, with the offset that held at that instant
   * (not the server's offset now, which is an hour off across a daylight-saving change): from
   * the catalog's timeZone with SQL Server's own rules (AT TIME ZONE), else from the offsets
   * msdb recorded with the backups around it. A time neither can place is refused, as is a
   * time in the hour that repeats when clocks go back (STOPAT cannot tell its two passes apart).
   */
  private async wallClock(env: SqlServerEnvironment, master: TsqlConnection, chain: RestoreChain, stopAtUtc: number): Promise<string> {
    const at = new Date(stopAtUtc).toISOString();
    const zone = env.database.timeZone;
    if (zone) {
      const q = admin.wallClockIn(at, zone);
      const row = (await master.run(q.sql, q.params)).rows[0] as { wallClock: string; hourBefore: string; hourAfter: string };
      if (row.wallClock === row.hourBefore || row.wallClock === row.hourAfter)
        throw new UnsupportedByEngine(
          'sqlserver',
          `restore ${env.name} to ${at}: in ${zone} that instant is ${row.wallClock}, a wall-clock time that occurs twice (clocks went back), and RESTORE ... STOPAT takes a wall-clock time`,
          'Choose a time outside the repeated hour.',
        );
      return row.wallClock;
    }
    const inferred = wallClockFromBackups(chain, stopAtUtc);
    if ('local' in inferred) return inferred.local;
    throw new UnsupportedByEngine(
      'sqlserver',
      `restore ${env.name} to ${at}: RESTORE ... STOPAT takes the server's wall-clock time, and ${inferred.unknown}`,
      `Set database.timeZone for ${env.name} in the catalog to the server's Windows time zone (\`tzutil /g\`, for example "W. Europe Standard Time"), then retry.`,
    );
  }

  /**
   * Renames a database with exclusive access. AUTO_UPDATE_STATISTICS_ASYNC goes off first (its
   * background thread would take the single connection) and back on after. A failed rename
   * returns the database to MULTI_USER, and its statistics option, and is raised with every
   * message the server sent (engines/tsql/driver-errors.ts): nothing here can hide its cause.
   */
  private async rename(master: TsqlConnection, from: string, to: string): Promise<void> {
    const run = (statement: admin.RenderedAdmin) => master.run(statement.sql, statement.params);
    const state = (await this.states(master, [from])).get(from);
    const asyncStatistics = Boolean(Number(state?.autoUpdateStatsAsync ?? 0));
    if (asyncStatistics) await run(admin.autoUpdateStatisticsAsync(from, false));
    try {
      await run(admin.renameDatabase(from, to));
    } catch (err) {
      await run(admin.multiUser(from)).catch(() => undefined);
      if (asyncStatistics) await run(admin.autoUpdateStatisticsAsync(from, true)).catch(() => undefined);
      throw err;
    }
    if (asyncStatistics) await run(admin.autoUpdateStatisticsAsync(to, true));
  }

  async swapIn(target: SqlServerEnvironment, operationId: string, ctx: EngineContext): Promise<SwapResult> {
    const n = this.names(target, operationId);
    return this.withMaster(target, async (master) => {
      const s = await this.states(master, [n.live, n.staging, n.aside]);
      const live = s.get(n.live);
      const staging = s.get(n.staging);
      const aside = s.get(n.aside);
      if (!staging && aside && live)
        return {
          unavailableWindowMs: 0,
          durationMs: 0,
          resumed: true,
          notes: [`${n.live} already holds this operation's copy; ${n.aside} is the database it replaced`],
        };
      if (staging?.state !== 'ONLINE')
        throw new Error(`Nothing to swap in: the staging database ${this.location(target, n.staging)} ${staging ? `is ${staging.state}` : 'does not exist'}`);
      if (!live && !aside)
        throw new Error(`${target.name}'s database ${this.location(target, n.live)} does not exist; dbmove only replaces an existing database`);
      if (live && aside) throw new Error(`${n.live}, ${n.staging} and ${n.aside} all exist: a rollback of this operation already ran`);
      const started = performance.now();
      if (live) await this.rename(master, n.live, n.aside);
      await this.rename(master, n.staging, n.live);
      const windowMs = performance.now() - started;
      ctx.progress(100, 'swapped');
      return {
        unavailableWindowMs: windowMs,
        durationMs: windowMs,
        resumed: !live,
        notes: [
          `Renamed ${n.live} to ${n.aside} and ${n.staging} to ${n.live} (each single-user for its rename); ${target.name} was unavailable for ${windowMs.toFixed(0)} ms`,
        ],
      };
    });
  }

  async restoreToMarker(target: SqlServerEnvironment, marker: Marker, operationId: string, ctx: EngineContext): Promise<SwapResult> {
    const env = target;
    const n = this.names(target, operationId);
    return this.withMaster(target, async (master) => {
      const s = await this.states(master, [n.live, n.staging, n.rollback]);
      if (s.get(n.live) && s.get(n.staging) && !s.get(n.rollback)) {
        return { unavailableWindowMs: 0, durationMs: 0, resumed: true, notes: [`${n.live} was already restored to ${marker.at} by an earlier attempt`] };
      }
      const started = performance.now();
      const notes: string[] = [];
      if (s.get(n.rollback)?.state !== 'ONLINE') {
        const row = await this.named(master, marker.restorePoint);
        if (row && String(row.type).trim() === 'D' && FULL_MARKER_DESCRIPTION.test(row.description ?? '')) {
          const set = (await this.history(master, row.databaseGuid)).find((b) => b.id === Number(row.id));
          if (!set)
            throw new Error(
              `msdb lists no file of the marker full backup ${marker.restorePoint}: ${target.name} cannot be returned to ${marker.at} by this operation`,
            );
          await this.restoreFiles(
            env,
            master,
            n.rollback,
            set.files,
            true,
            set.checksums,
            ctx,
            0,
            95,
            `restoring the marker full backup of ${row.databaseName}`,
          );
          notes.push(`Restored the marker full backup of ${row.databaseName} (finished ${marker.at}) whole into ${n.rollback}, without STOPAT`);
        } else {
          const recorded = MARKER_DESCRIPTION.exec(row?.description ?? '');
          if (!row || !recorded)
            throw new Error(`msdb has no marker log backup named ${marker.restorePoint}: ${target.name} cannot be returned to ${marker.at} by this operation`);
          const { chain } = await this.restoreToTime(env, master, row.databaseGuid, row.databaseName, n.rollback, Date.parse(recorded[1]), recorded[2], ctx);
          notes.push(
            `Restored ${row.databaseName} to ${marker.at} (server time ${recorded[2]}) into ${n.rollback}: 1 full and ${chain.logs.length} log backups, the last WITH STOPAT`,
          );
        }
      }
      const swapStarted = performance.now();
      if ((await this.states(master, [n.live])).has(n.live)) await this.rename(master, n.live, n.staging);
      await this.rename(master, n.rollback, n.live);
      const windowMs = performance.now() - swapStarted;
      notes.push(
        `Renamed this operation's copy back to ${n.staging} and ${n.rollback} to ${n.live}; ${target.name} was unavailable for ${windowMs.toFixed(0)} ms`,
      );
      return { unavailableWindowMs: windowMs, durationMs: performance.now() - started, resumed: false, notes };
    });
  }

  async compareWithMarker(): Promise<'identical' | 'changed' | 'unknown'> {
    return 'unknown';
  }

  /** As on Azure: the live name must point at a database before anything is dropped. */
  private async ensureLiveName(master: TsqlConnection, n: DerivedNames): Promise<void> {
    const s = await this.states(master, [n.live, n.rollback, n.aside]);
    if (s.has(n.live)) return;
    if (s.get(n.rollback)?.state === 'ONLINE') return this.rename(master, n.rollback, n.live);
    if (s.get(n.aside)?.state === 'ONLINE') return this.rename(master, n.aside, n.live);
  }

  private async drop(master: TsqlConnection, names: string[]): Promise<string[]> {
    const s = await this.states(master, names);
    const dropped: string[] = [];
    for (const name of names) {
      if (!s.has(name)) continue;
      const statement = admin.dropDatabase(name);
      await master.run(statement.sql, statement.params);
      dropped.push(name);
    }
    return dropped;
  }

  async dropStaging(target: SqlServerEnvironment, operationId: string): Promise<Holding[]> {
    const n = this.names(target, operationId);
    return this.withMaster(target, async (master) => {
      await this.ensureLiveName(master, n);
      const dropped = await this.drop(master, [n.staging, n.rollback]);
      return dropped.map(
        (name) => ({ kind: name === n.staging ? 'staging' : 'temporary', environment: target.name, location: this.location(target, name) }) as Holding,
      );
    });
  }

  async holdings(env: SqlServerEnvironment, operationId: string): Promise<Holding[]> {
    const n = this.names(env, operationId);
    const s = await this.withMaster(env, (m) => this.states(m, [n.staging, n.aside, n.rollback]));
    const kinds: [Holding['kind'], string][] = [
      ['staging', n.staging],
      ['aside', n.aside],
      ['temporary', n.rollback],
    ];
    return kinds.filter(([, name]) => s.has(name)).map(([kind, name]) => ({ kind, environment: env.name, location: this.location(env, name) }));
  }

  async releaseHoldings(env: SqlServerEnvironment, operationId: string): Promise<Holding[]> {
    const n = this.names(env, operationId);
    const held = await this.holdings(env, operationId);
    await this.withMaster(env, async (master) => {
      await this.ensureLiveName(master, n);
      await this.drop(master, [n.staging, n.rollback, n.aside]);
    });
    return held;
  }

  /**
   * FULL recovery: any instant from the end of the first full backup to the end of the last log
   * backup (the latest point a restore can reach). SIMPLE and BULK_LOGGED: the full backups
   * themselves, as discrete points. Every time is converted with its own recorded offset.
   */
  async restorePoints(env: SqlServerEnvironment): Promise<RestoreWindow> {
    const live = env.database.database;
    return this.withMaster(env, async (master) => {
      const state = (await this.states(master, [live])).get(live);
      if (!state?.databaseGuid) throw new Error(`${env.name}'s database ${this.location(env, live)} does not exist`);
      const sets = await this.history(master, state.databaseGuid);
      const at = (s: BackupSet) => new Date(s.finishedUtc).toISOString();
      const fulls = sets.filter((s) => s.type === 'D').sort((a, b) => a.finishedUtc - b.finishedUtc);
      if (state.recoveryModel !== 'FULL') {
        return {
          environment: env.name,
          continuous: false,
          earliest: fulls.length ? at(fulls[0]) : undefined,
          latest: fulls.length ? at(fulls[fulls.length - 1]) : undefined,
          points: fulls.map((s) => ({ at: at(s), id: s.name ?? `backup set ${s.id}`, description: `full backup (${state.recoveryModel} recovery)` })),
        };
      }
      const lastLog = sets.filter((s) => s.type === 'L').sort((a, b) => a.finishedUtc - b.finishedUtc)[sets.filter((s) => s.type === 'L').length - 1];
      return {
        environment: env.name,
        continuous: true,
        earliest: fulls.length ? at(fulls[0]) : undefined,
        latest: lastLog ? at(lastLog) : undefined,
        points: [],
      };
    });
  }

  async restoreToStaging(target: SqlServerEnvironment, at: string, operationId: string, ctx: EngineContext): Promise<RestoreResult> {
    const env = target;
    const { live, staging } = this.names(target, operationId);
    if (Number.isNaN(Date.parse(at))) throw new Error(`${at} is not a point in time (use an ISO time such as 2026-11-20T08:00:00Z)`);
    const started = performance.now();
    return this.withMaster(target, async (master) => {
      const s = await this.states(master, [live, staging]);
      const holding: Holding = { kind: 'staging', environment: target.name, location: this.location(target, staging) };
      if (s.get(staging)?.state === 'ONLINE')
        return {
          bytes: 0,
          durationMs: 0,
          staging: holding,
          resumed: true,
          restoredTo: at,
          exact: true,
          notes: [`${holding.location} was already restored by an earlier attempt`],
        };
      const state = s.get(live);
      const guid = state?.databaseGuid;
      if (!guid) throw new Error(`${target.name}'s database ${this.location(target, live)} does not exist`);
      if (state.recoveryModel !== 'FULL') {
        // No log chain to stop in: the latest full backup at or before the time, restored whole.
        const full = (await this.history(master, guid))
          .filter((b) => b.type === 'D' && b.finishedUtc <= Date.parse(at))
          .sort((a, b) => a.finishedUtc - b.finishedUtc)
          .pop();
        if (!full) throw new NoRestoreChain(`msdb records no full backup of ${live} finished before ${new Date(at).toISOString()}`);
        await this.restoreFiles(env, master, staging, full.files, true, full.checksums, ctx, 0, 100, `restoring the full backup of ${live}`);
        const restoredTo = new Date(full.finishedUtc).toISOString();
        return {
          bytes: 0,
          durationMs: performance.now() - started,
          staging: holding,
          resumed: false,
          restoredTo,
          // Discrete points: the time asked only when it is the backup's own (PRECHECK refuses any other unless --nearest).
          exact: restoredTo === new Date(at).toISOString(),
          point: { id: full.name ?? `backup set ${full.id}`, at: restoredTo },
          notes: [`${live} uses ${state.recoveryModel} recovery: restored its full backup that finished ${restoredTo}, the latest at or before ${at}`],
        };
      }
      const { chain, local } = await this.restoreToTime(env, master, guid, live, staging, Date.parse(at), undefined, ctx);
      return {
        bytes: 0,
        durationMs: performance.now() - started,
        staging: holding,
        resumed: false,
        restoredTo: new Date(at).toISOString(),
        exact: true,
        notes: [`Restored ${live} to ${at} (server time ${local}) from 1 full and ${chain.logs.length} log backups into ${holding.location}`],
      };
    });
  }

  /**
   * VERIFY, before SWAP or an export: a CHECKPOINT in staging (so that SCRUB's changes are on
   * its pages), then sp_clean_db_free_space, which zeroes every data page's free space. Safe to
   * repeat. Ghost records the ghost cleanup task has not yet removed, unallocated pages of the
   * data files and the transaction log are not cleaned by it (docs/engines.md).
   */
  async sealStaging(target: SqlServerEnvironment, operationId: string, ctx: EngineContext): Promise<SealResult> {
    const { staging } = this.names(target, operationId);
    const started = performance.now();
    const db = this.connect(target, staging);
    try {
      await db.run('CHECKPOINT', []);
    } finally {
      await db.close();
    }
    ctx.progress(10, 'cleaning free space');
    const clean = admin.cleanFreeSpace(staging);
    await this.withMaster(target, (master) => master.run(clean.sql, clean.params));
    return {
      bytesBefore: 0,
      bytesAfter: 0,
      durationMs: performance.now() - started,
      resumed: false,
      notes: [`sp_clean_db_free_space zeroed the free space of every data page of ${this.location(target, staging)}`],
    };
  }

  async exportStaging(
    env: SqlServerEnvironment,
    operationId: string,
    destination: string,
    manifest: Omit<BackupManifest, 'content'>,
    ctx: EngineContext,
  ): Promise<ExportResult> {
    const e = env;
    const { staging } = this.names(env, operationId);
    const started = performance.now();
    const name = `dbmove-export-${shortOperationId(operationId)}`;
    const description = `dbmove export of ${manifest.source.environment} (${operationId})`.slice(0, 255);
    const bytes = await this.withMaster(env, async (master) => {
      await this.runWithProgress(e, master, admin.backupCopyOnly(staging, destination, name, description), ctx, 0, 100, `backing up ${staging}`);
      const q = admin.backupByName(name);
      return Number((await master.run(q.sql, q.params)).rows[0]?.bytes ?? 0);
    });
    return {
      destination,
      bytes,
      checksum: '',
      durationMs: performance.now() - started,
      notes: [
        `BACKUP DATABASE ${staging} WITH COPY_ONLY, CHECKSUM to ${destination} (written by the SQL Server service; the page checksums are verified on restore)`,
      ],
    };
  }

  async importToStaging(target: SqlServerEnvironment, backup: string, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const env = target;
    const { staging } = this.names(target, operationId);
    const started = performance.now();
    const holding: Holding = { kind: 'staging', environment: target.name, location: this.location(target, staging) };
    return this.withMaster(target, async (master) => {
      if ((await this.states(master, [staging])).get(staging)?.state === 'ONLINE')
        return { bytes: 0, durationMs: 0, staging: holding, resumed: true, notes: [`${holding.location} was already restored by an earlier attempt`] };
      // A file of unknown origin may carry no backup checksums: RESTORE ... WITH CHECKSUM would refuse it.
      await this.restoreFiles(env, master, staging, [backup], true, false, ctx, 0, 100, `restoring ${backup}`);
      return {
        bytes: 0,
        durationMs: performance.now() - started,
        staging: holding,
        resumed: false,
        notes: [`Restored ${backup} WITH MOVE into ${holding.location}`],
      };
    });
  }
}
