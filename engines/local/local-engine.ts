import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { ENGINE_CAPABILITIES } from '../capabilities';
import * as path from 'node:path';
import type { LocalEnvironment } from '../../config/catalog';
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
  RestoreChoice,
  RestorePointInfo,
  RestoreResult,
  RestoreWindow,
  SealResult,
  StagingAddress,
  SwapResult,
} from '../port';
import { readIdentityRecord, writeIdentityRecord } from './identity-records';
import { bootId, consistentCopy, fsyncDirectory, fsyncFile, readJson, removeIfExists, sha256File, writeJsonAtomic } from './consistent-copy';
import { openSqlite, SqliteSession } from './sqlite-session';
import { exportBackupFile, importBackupFile, InvalidBackupError, readBackupManifest } from './backup-file';
import { rewriteWithoutFreeSpace, sealingFile } from './seal';
import { confirmSwap, exactRanges, fileIdentity, observations, observe, pruneObservations } from './timeline';
import { planRestore } from '../../common/restore-plan';
import { RestoreNotExact } from '../../common/errors';
import { parseDuration } from '../../config/durations';
import { formatBytes } from '../../common/format';

/**
 * The embedded engine: each environment's database is one SQLite file, so the whole product
 * runs on a laptop with no cloud. Everything an operation creates lives beside the target's
 * file (same filesystem, so the swap is a single atomic rename), under
 * `.dbmove/<environment>/`, named after the operation id:
 *
 *   staging/<op>.sqlite            the database being prepared (COPY, RESTORE, import)
 *   restore-points/<op>.sqlite     the target as it was at MARKER, byte for byte
 *   history/<time>--<op>.sqlite    restore points kept after sign-off, for point-in-time restore
 *   timeline/<time>--<op>--*.json  checksums of the database at moments the engine saw it, which
 *                                  prove the times a restore point restores exactly (timeline.ts)
 *   operations/<op>.json           what the engine already did for the operation (swap, rollback)
 */
export interface LocalEngineOptions {
  /** Default retention of restore points after sign-off (catalog `defaults.restorePointRetention`). */
  defaultRetention?: string;
  now?: () => Date;
}

interface RestorePointManifest {
  environment: string;
  operationId: string;
  at: string;
  checksum: string;
  bytes: number;
  /** The live database's identity at the marker: rollback gives it back to the restored file. */
  identity?: DatabaseIdentity;
}

interface StagingManifest {
  operationId: string;
  completedAt: string;
  bytes: number;
  origin: string;
  /** The boot the copy was made in: it is not fsynced until SWAP, so a crash since voids it. */
  bootId?: string;
  /** Set by sealStaging: the file as the rewrite left it (a later change voids it). */
  sealed?: SealRecord;
}

interface SealRecord {
  at: string;
  bytes: number;
  mtimeMs: number;
  ino: number;
}

interface OperationJournal {
  swap?: SwapResult & { at: string };
  restore?: SwapResult & { at: string; marker: string };
}

export class LocalEngine implements DatabaseEngine<LocalEnvironment> {
  readonly kind = 'local' as const;
  readonly capabilities: EngineCapabilities = ENGINE_CAPABILITIES.local;

  constructor(private readonly options: LocalEngineOptions = {}) {}

  async readIdentity(env: LocalEnvironment): Promise<DatabaseIdentity | undefined> {
    return readIdentityRecord(this.databaseFile(env));
  }

  async stampStagingIdentity(target: LocalEnvironment, operationId: string, identity: DatabaseIdentity): Promise<void> {
    writeIdentityRecord(this.stagingFile(target, operationId), this.databaseFile(target), identity);
  }

  async stampLiveIdentity(env: LocalEnvironment, identity: DatabaseIdentity): Promise<void> {
    writeIdentityRecord(this.databaseFile(env), this.databaseFile(env), identity);
  }

  stagingAddress(target: LocalEnvironment, operationId: string): StagingAddress {
    const file = this.stagingFile(target, operationId);
    return { location: file, database: file };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  databaseFile(env: LocalEnvironment): string {
    return env.database.path;
  }

  workDir(env: LocalEnvironment): string {
    const file = this.databaseFile(env);
    return path.join(path.dirname(file), '.dbmove', env.name);
  }

  stagingFile(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'staging', `${operationId}.sqlite`);
  }

  private stagingManifest(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'staging', `${operationId}.json`);
  }

  private rollbackFile(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'staging', `${operationId}.rollback.sqlite`);
  }

  restorePointFile(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'restore-points', `${operationId}.sqlite`);
  }

  private journalFile(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'operations', `${operationId}.json`);
  }

  private historyDir(env: LocalEnvironment): string {
    return path.join(this.workDir(env), 'history');
  }

  async inspect(env: LocalEnvironment): Promise<DatabaseFacts> {
    const file = this.databaseFile(env);
    try {
      const stat = await fs.promises.stat(file);
      return { exists: true, location: file, sizeBytes: stat.size };
    } catch {
      return { exists: false, location: file };
    }
  }

  async openLive(env: LocalEnvironment): Promise<DataSession> {
    return new SqliteSession(openSqlite(this.databaseFile(env), 'read-only'), `${env.name} (live, read-only)`);
  }

  async openStaging(target: LocalEnvironment, operationId: string): Promise<DataSession> {
    const file = this.stagingFile(target, operationId);
    if (!fs.existsSync(file)) {
      throw new Error(`The staging database of operation ${operationId} for ${target.name} does not exist (${file}); run the COPY step first`);
    }
    return new SqliteSession(openSqlite(file, 'read-write'), `${target.name} (staging of ${operationId})`);
  }

  async markPointInTime(target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<Marker> {
    const file = this.restorePointFile(target, operationId);
    const manifestFile = `${file.slice(0, -'.sqlite'.length)}.json`;
    const existing = await readJson<RestorePointManifest>(manifestFile);
    if (existing && fs.existsSync(file)) {
      ctx.log(`Restore point for ${operationId} already taken at ${existing.at}; reusing it`);
      return { environment: target.name, at: existing.at, restorePoint: path.basename(file), checksum: existing.checksum };
    }
    const copy = await consistentCopy(
      this.databaseFile(target),
      file,
      (p) => ctx.progress(p.totalBytes ? (100 * p.copiedBytes) / p.totalBytes : 100, 'taking restore point'),
      { clock: () => this.now() },
    );
    // The point holds the target as it was when the copy's read snapshot was taken.
    const at = copy.snapshotAt.toISOString();
    const checksum = await sha256File(file);
    const identity = await this.readIdentity(target);
    await writeJsonAtomic(manifestFile, { environment: target.name, operationId, at, checksum, bytes: copy.bytes, identity } satisfies RestorePointManifest);
    // Read after the copy: unchanged since the last swap means unchanged through the snapshot too.
    await confirmSwap(this.workDir(target), await fileIdentity(this.databaseFile(target)), checksum);
    await observe(this.workDir(target), { at, sha256: checksum, operationId, event: 'restore-point' });
    return { environment: target.name, at, restorePoint: path.basename(file), checksum };
  }

  async copyToStaging(source: LocalEnvironment, target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const file = this.stagingFile(target, operationId);
    const manifestFile = this.stagingManifest(target, operationId);
    const done = await readJson<StagingManifest>(manifestFile);
    if (done && fs.existsSync(file) && done.bootId === bootId()) {
      return {
        bytes: done.bytes,
        durationMs: 0,
        staging: this.stagingHolding(target, file, done.bytes),
        resumed: true,
        notes: [`Staging copy already complete (${done.completedAt}); an earlier attempt finished it`],
      };
    }
    const started = performance.now();
    const copy = await consistentCopy(
      this.databaseFile(source),
      file,
      (p) => ctx.progress(p.totalBytes ? (100 * p.copiedBytes) / p.totalBytes : 100, `${formatBytes(p.copiedBytes)} of ${formatBytes(p.totalBytes)}`),
      // Not fsynced here: SQLite's own commits in SCRUB flush it, and SWAP fsyncs it before the rename.
      { signal: ctx.signal, midpoint: ctx.checkpoint ? () => ctx.checkpoint!('copy-midpoint') : undefined, durable: false },
    );
    await writeJsonAtomic(manifestFile, {
      operationId,
      completedAt: this.now().toISOString(),
      bytes: copy.bytes,
      origin: source.name,
      bootId: bootId(),
    } satisfies StagingManifest);
    return {
      bytes: copy.bytes,
      durationMs: performance.now() - started,
      staging: this.stagingHolding(target, file, copy.bytes),
      resumed: false,
      notes: [`Copied ${formatBytes(copy.bytes)} from ${source.name} (${copy.journalMode} journal) under a read transaction; the source was opened read-only`],
    };
  }

  private stagingHolding(env: LocalEnvironment, file: string, bytes?: number): Holding {
    return { kind: 'staging', environment: env.name, location: file, bytes };
  }

  async swapIn(target: LocalEnvironment, operationId: string, ctx: EngineContext, holdsOperation?: () => Promise<boolean>): Promise<SwapResult> {
    const journal = (await readJson<OperationJournal>(this.journalFile(target, operationId))) ?? {};
    if (journal.swap) return { ...journal.swap, resumed: true };
    const staging = this.stagingFile(target, operationId);
    if (!fs.existsSync(staging)) {
      if (await holdsOperation?.()) {
        const result: SwapResult = {
          unavailableWindowMs: 0,
          durationMs: 0,
          resumed: true,
          notes: ["The target already holds this operation's data; an earlier attempt swapped it in"],
        };
        // When this happened is not known: the timeline records a change of unknown content.
        await observe(this.workDir(target), { at: this.now().toISOString(), operationId, event: 'swap' });
        await writeJsonAtomic(this.journalFile(target, operationId), { ...journal, swap: { ...result, at: this.now().toISOString() } });
        return result;
      }
      throw new Error(`Nothing to swap in: the staging database of ${operationId} for ${target.name} is missing (${staging})`);
    }
    // For the point-in-time restore's timeline: the identity of the sealed file the target now
    // is (the next restore point turns it into a checksum); an unsealed staging, a restore's, is
    // recorded as a change of unknown content.
    const sealed = await this.currentSeal(target, operationId);
    const result = await this.replaceLiveFile(target, staging, ctx);
    const file = sealed ? await fileIdentity(this.databaseFile(target)) : undefined;
    await observe(this.workDir(target), { at: this.now().toISOString(), operationId, event: 'swap', ...(file ? { file } : {}) });
    await removeIfExists(this.stagingManifest(target, operationId));
    await writeJsonAtomic(this.journalFile(target, operationId), { ...journal, swap: { ...result, at: this.now().toISOString() } });
    return result;
  }

  /**
   * Takes the target offline (an exclusive lock waits for running transactions and keeps
   * new ones out), renames the replacement over it, and lets go. The rename is atomic, so the
   * live name always points at a complete database; the measured window is lock to rename.
   */
  private async replaceLiveFile(target: LocalEnvironment, replacement: string, ctx: EngineContext): Promise<SwapResult> {
    const started = performance.now();
    const live = this.databaseFile(target);
    // The replacement reaches the disk before its name can: a crash never leaves a torn live database.
    await fsyncFile(replacement);
    const lock = openSqlite(live, 'read-write');
    let windowMs: number;
    try {
      if (String(lock.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') {
        // A WAL file left beside the new database would be replayed into it.
        lock.pragma('wal_checkpoint(TRUNCATE)');
        lock.pragma('journal_mode = DELETE');
      }
      // The window opens when we ask for the lock: while it waits for running transactions,
      // its pending lock already keeps new ones out.
      const offline = performance.now();
      lock.exec('BEGIN EXCLUSIVE');
      await fs.promises.rename(replacement, live);
      windowMs = performance.now() - offline;
      lock.exec('ROLLBACK');
    } finally {
      lock.close();
    }
    await fsyncDirectory(path.dirname(live));
    ctx.progress(100, 'swapped');
    return {
      unavailableWindowMs: windowMs,
      durationMs: performance.now() - started,
      resumed: false,
      notes: [`${target.name} was unavailable for ${windowMs.toFixed(2)} ms (exclusive lock to atomic rename)`],
    };
  }

  async restoreToMarker(target: LocalEnvironment, marker: Marker, operationId: string, ctx: EngineContext): Promise<SwapResult> {
    const journal = (await readJson<OperationJournal>(this.journalFile(target, operationId))) ?? {};
    if (journal.restore) return { ...journal.restore, resumed: true };
    const restorePoint = this.restorePointFile(target, operationId);
    if (!fs.existsSync(restorePoint)) {
      throw new Error(`The restore point of ${operationId} for ${target.name} is missing (${restorePoint}); the target cannot be returned to ${marker.at}`);
    }
    const record = async (result: SwapResult) => {
      await writeJsonAtomic(this.journalFile(target, operationId), { ...journal, restore: { ...result, at: this.now().toISOString(), marker: marker.at } });
      return result;
    };
    if (marker.checksum && (await sha256File(this.databaseFile(target))) === marker.checksum) {
      await removeIfExists(this.rollbackFile(target, operationId));
      await observe(this.workDir(target), { at: this.now().toISOString(), sha256: marker.checksum, operationId, event: 'unchanged' });
      return record({ unavailableWindowMs: 0, durationMs: 0, resumed: true, notes: [`${target.name} already matches the restore point of ${marker.at}`] });
    }
    // Restore from a copy so the restore point survives until sign-off, should this be retried.
    const temp = this.rollbackFile(target, operationId);
    await consistentCopy(restorePoint, temp, (p) => ctx.progress(p.totalBytes ? (90 * p.copiedBytes) / p.totalBytes : 90, 'copying restore point'));
    // The restored file takes back the identity the target had at the marker, in the same rename.
    const atMarker = (await readJson<RestorePointManifest>(`${restorePoint.slice(0, -'.sqlite'.length)}.json`))?.identity;
    if (atMarker) writeIdentityRecord(temp, this.databaseFile(target), atMarker);
    const result = await this.replaceLiveFile(target, temp, ctx);
    // A copy of a restore point (rollback-journal mode, so byte for byte): the target holds the marker's content again.
    await observe(this.workDir(target), { at: this.now().toISOString(), sha256: marker.checksum, operationId, event: 'rollback' });
    return record({ ...result, notes: [...result.notes, `Restored ${target.name} to its restore point of ${marker.at}`] });
  }

  async compareWithMarker(target: LocalEnvironment, marker: Marker): Promise<'identical' | 'changed' | 'unknown'> {
    if (!marker.checksum) return 'unknown';
    if ((await sha256File(this.databaseFile(target))) !== marker.checksum) return 'changed';
    // Seen unchanged since the marker: the restore point restores exactly every time up to now.
    await observe(this.workDir(target), {
      at: this.now().toISOString(),
      sha256: marker.checksum,
      operationId: path.basename(marker.restorePoint, '.sqlite'),
      event: 'unchanged',
    });
    return 'identical';
  }

  async dropStaging(target: LocalEnvironment, operationId: string): Promise<Holding[]> {
    const removed: Holding[] = [];
    const staging = this.stagingFile(target, operationId);
    for (const file of [staging, `${staging}.partial`, sealingFile(staging), this.rollbackFile(target, operationId)]) {
      if (await removeIfExists(file)) removed.push(this.stagingHolding(target, file));
      await removeIfExists(`${file}-journal`);
    }
    await removeIfExists(this.stagingManifest(target, operationId));
    return removed;
  }

  async holdings(env: LocalEnvironment, operationId: string): Promise<Holding[]> {
    const candidates: [Holding['kind'], string][] = [
      ['staging', this.stagingFile(env, operationId)],
      ['staging', `${this.stagingFile(env, operationId)}.partial`],
      ['temporary', sealingFile(this.stagingFile(env, operationId))],
      ['temporary', this.rollbackFile(env, operationId)],
      ['restore-point', this.restorePointFile(env, operationId)],
    ];
    const found: Holding[] = [];
    for (const [kind, file] of candidates) {
      try {
        const stat = await fs.promises.stat(file);
        found.push({ kind, environment: env.name, location: file, bytes: stat.size });
      } catch {
        /* not held */
      }
    }
    return found;
  }

  async releaseHoldings(env: LocalEnvironment, operationId: string, options: { keepRestorePoint: boolean }): Promise<Holding[]> {
    const held = await this.holdings(env, operationId);
    await this.dropStaging(env, operationId);
    const restorePoint = this.restorePointFile(env, operationId);
    const manifestFile = `${restorePoint.slice(0, -'.sqlite'.length)}.json`;
    const manifest = await readJson<RestorePointManifest>(manifestFile);
    const retentionMs = parseDuration(env.restorePointRetention ?? this.options.defaultRetention ?? '0d');
    if (options.keepRestorePoint && manifest && fs.existsSync(restorePoint) && retentionMs > 0) {
      // The environment keeps pre-operation states for point-in-time restore, like Azure's automatic backups.
      const name = `${manifest.at.replace(/[:.]/g, '-')}--${operationId}`;
      await fs.promises.mkdir(this.historyDir(env), { recursive: true });
      await writeJsonAtomic(path.join(this.historyDir(env), `${name}.json`), manifest);
      await fs.promises.rename(restorePoint, path.join(this.historyDir(env), `${name}.sqlite`));
    } else {
      await removeIfExists(restorePoint);
    }
    await removeIfExists(manifestFile);
    await removeIfExists(this.journalFile(env, operationId));
    await this.pruneHistory(env, retentionMs);
    return held;
  }

  private async pruneHistory(env: LocalEnvironment, retentionMs: number): Promise<void> {
    const cutoff = this.now().getTime() - retentionMs;
    await pruneObservations(this.workDir(env), cutoff);
    for (const point of await this.historyPoints(env)) {
      if (Date.parse(point.at) < cutoff) {
        await removeIfExists(point.file);
        await removeIfExists(point.file.replace(/\.sqlite$/, '.json'));
      }
    }
  }

  private async historyPoints(env: LocalEnvironment): Promise<(RestorePointInfo & { file: string; sha256: string })[]> {
    const points: (RestorePointInfo & { file: string; sha256: string })[] = [];
    for (const dir of [this.historyDir(env), path.join(this.workDir(env), 'restore-points')]) {
      let names: string[];
      try {
        names = await fs.promises.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const manifest = await readJson<RestorePointManifest>(path.join(dir, name));
        const file = path.join(dir, name.replace(/\.json$/, '.sqlite'));
        if (!manifest || !fs.existsSync(file)) continue;
        points.push({
          at: manifest.at,
          id: path.basename(file, '.sqlite'),
          bytes: manifest.bytes,
          description: `before operation ${manifest.operationId}`,
          file,
          sha256: manifest.checksum,
        });
      }
    }
    return points.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The kept restore points, each with the times it restores exactly (timeline.ts). */
  private async pointsWithRanges(env: LocalEnvironment): Promise<(RestorePointInfo & { file: string; sha256: string })[]> {
    const points = await this.historyPoints(env);
    const ranges = exactRanges(points, await observations(this.workDir(env)));
    return points.map((p, i) => ({ ...p, ...ranges[i] }));
  }

  async restorePoints(env: LocalEnvironment): Promise<RestoreWindow> {
    const points = await this.pointsWithRanges(env);
    return {
      environment: env.name,
      continuous: false,
      earliest: points[0]?.exactFrom,
      latest: points.reduce<string | undefined>((latest, p) => (!latest || Date.parse(p.exactUntil!) > Date.parse(latest) ? p.exactUntil : latest), undefined),
      points: points.map(({ file: _file, sha256: _sha256, ...p }) => p),
    };
  }

  async restoreToStaging(target: LocalEnvironment, at: string, operationId: string, ctx: EngineContext, choice: RestoreChoice = {}): Promise<RestoreResult> {
    const points = await this.pointsWithRanges(target);
    // The same rule as PRECHECK, decided again on what is kept now: never another time's state unless asked.
    const decision = planRestore(target.name, { to: at, ...choice }, { environment: target.name, continuous: false, points }, this.now());
    if (!decision.ok) throw new RestoreNotExact(`${decision.message}. Fix: ${decision.fix}`);
    const plan = decision.plan;
    const chosen = points.find((p) => p.id === plan.point?.id)!;
    const file = this.stagingFile(target, operationId);
    const started = performance.now();
    const copy = await consistentCopy(chosen.file, file, (p) =>
      ctx.progress(p.totalBytes ? (100 * p.copiedBytes) / p.totalBytes : 100, 'copying restore point'),
    );
    await writeJsonAtomic(this.stagingManifest(target, operationId), {
      operationId,
      completedAt: this.now().toISOString(),
      bytes: copy.bytes,
      origin: chosen.id,
    } satisfies StagingManifest);
    return {
      bytes: copy.bytes,
      durationMs: performance.now() - started,
      staging: this.stagingHolding(target, file, copy.bytes),
      resumed: false,
      restoredTo: plan.stateAt,
      exact: plan.exact,
      point: { id: chosen.id, at: chosen.at },
      notes: [
        plan.exact
          ? `Restored ${target.name} as it was at ${plan.stateAt}: restore point ${chosen.id} (${chosen.description}) holds exactly that state`
          : `Restored ${target.name} as it was at ${plan.stateAt} (restore point ${chosen.id}), the nearest earlier state that can be restored exactly; ${at} was asked`,
      ],
    };
  }

  /**
   * Rewrites staging from its live rows (VACUUM INTO), so that no byte of what SCRUB, SYNC or
   * POSTCONFIG deleted or overwrote, nor of what the source had freed before the copy, is left
   * in the file SWAP installs or PACKAGE exports. Recorded in the staging manifest with the
   * file's identity: a retried VERIFY does not rewrite it again, a file changed since is
   * rewritten again, and SWAP knows the file it installs is the sealed one.
   */
  async sealStaging(target: LocalEnvironment, operationId: string, _ctx: EngineContext): Promise<SealResult> {
    const file = this.stagingFile(target, operationId);
    const manifestFile = this.stagingManifest(target, operationId);
    const manifest = await readJson<StagingManifest>(manifestFile);
    const seal = await this.currentSeal(target, operationId);
    if (seal) {
      return {
        bytesBefore: seal.bytes,
        bytesAfter: seal.bytes,
        durationMs: 0,
        resumed: true,
        notes: [`Staging was already rewritten at ${seal.at} and has not changed since`],
      };
    }
    if (!fs.existsSync(file)) {
      throw new Error(`The staging database of operation ${operationId} for ${target.name} does not exist (${file}); run the COPY or RESTORE step first`);
    }
    const rewrite = await rewriteWithoutFreeSpace(file);
    const stat = await fs.promises.stat(file);
    const sealed: SealRecord = { at: this.now().toISOString(), bytes: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
    await writeJsonAtomic(manifestFile, {
      ...(manifest ?? { operationId, completedAt: sealed.at, bytes: stat.size, origin: 'unknown' }),
      sealed,
    } satisfies StagingManifest);
    return {
      bytesBefore: rewrite.bytesBefore,
      bytesAfter: rewrite.bytesAfter,
      durationMs: rewrite.durationMs,
      resumed: false,
      notes: [
        `Rewrote staging from its live rows (VACUUM INTO): ${formatBytes(rewrite.bytesBefore)} → ${formatBytes(rewrite.bytesAfter)} in ${(rewrite.durationMs / 1000).toFixed(2)} s; no deleted or overwritten value is left in its bytes`,
      ],
    };
  }

  /** The seal of staging if the file is still exactly what sealStaging left. */
  private async currentSeal(target: LocalEnvironment, operationId: string): Promise<SealRecord | undefined> {
    const sealed = (await readJson<StagingManifest>(this.stagingManifest(target, operationId)))?.sealed;
    if (!sealed) return undefined;
    try {
      const stat = await fs.promises.stat(this.stagingFile(target, operationId));
      return stat.size === sealed.bytes && stat.mtimeMs === sealed.mtimeMs && stat.ino === sealed.ino ? sealed : undefined;
    } catch {
      return undefined;
    }
  }

  async exportStaging(
    env: LocalEnvironment,
    operationId: string,
    destination: string,
    manifest: Omit<BackupManifest, 'content'>,
    ctx: EngineContext,
  ): Promise<ExportResult> {
    // A backup carries only live rows: VERIFY sealed staging; if anything changed it since, seal it again.
    const seal = await this.sealStaging(env, operationId, ctx);
    const result = await exportBackupFile(this.stagingFile(env, operationId), destination, manifest, ctx);
    return seal.resumed ? result : { ...result, notes: [...seal.notes, ...result.notes] };
  }

  /**
   * F&O's SYSBROADCASTMESSAGE holds a notice's window only (FROMDATETIME, TODATETIME, AOSID);
   * the client words the notice itself. Which row is this operation's is kept beside the
   * environment's work files, keyed by the message, so a retried NOTIFY moves the window of
   * the notice users already see instead of posting a second one, and a rollback withdraws it.
   */
  private noticeFile(env: LocalEnvironment, message: string): string {
    return path.join(this.workDir(env), 'notices', `${crypto.createHash('sha256').update(message).digest('hex').slice(0, 24)}.json`);
  }

  async broadcast(env: LocalEnvironment, message: string, from: Date, to: Date): Promise<void> {
    const journal = this.noticeFile(env, message);
    const known = await readJson<{ recId: number }>(journal);
    const db = openSqlite(this.databaseFile(env), 'read-write');
    let recId: number;
    try {
      recId = db.transaction(() => {
        if (known) {
          const moved = db.prepare('UPDATE SYSBROADCASTMESSAGE SET FROMDATETIME = ?, TODATETIME = ?, RECVERSION = RECVERSION + 1 WHERE RECID = ?');
          if (moved.run(from.toISOString(), to.toISOString(), known.recId).changes > 0) return known.recId;
        }
        return Number(
          db.prepare("INSERT INTO SYSBROADCASTMESSAGE (FROMDATETIME, TODATETIME, AOSID) VALUES (?, ?, '')").run(from.toISOString(), to.toISOString())
            .lastInsertRowid,
        );
      })();
    } finally {
      db.close();
    }
    await writeJsonAtomic(journal, { recId, message });
  }

  async withdrawBroadcast(env: LocalEnvironment, message: string): Promise<boolean> {
    const journal = this.noticeFile(env, message);
    const known = await readJson<{ recId: number }>(journal);
    if (!known) return false;
    const db = openSqlite(this.databaseFile(env), 'read-write');
    try {
      const removed = db.prepare('DELETE FROM SYSBROADCASTMESSAGE WHERE RECID = ?').run(known.recId).changes > 0;
      await removeIfExists(journal);
      return removed;
    } finally {
      db.close();
    }
  }

  async readBackup(_env: LocalEnvironment, location: string): Promise<BackupManifest> {
    const { manifest } = await readBackupManifest(location);
    const { operationId, createdAt, source, versions, versionSources, policy } = manifest;
    if (!source?.environment || !versions || !operationId || !createdAt || !policy) {
      throw new InvalidBackupError(
        location,
        'the manifest does not name its source environment, versions and operation',
        'Give a file written by `dbmove export`.',
      );
    }
    return { operationId, createdAt, source, versions, versionSources, policy, content: manifest.content };
  }

  async removeBackup(_env: LocalEnvironment, location: string, operationId: string): Promise<boolean> {
    for (const file of [`${location}.partial`]) await removeIfExists(file);
    try {
      const { manifest } = await readBackupManifest(location);
      if (manifest.operationId !== operationId) return false;
    } catch {
      return false;
    }
    return removeIfExists(location);
  }

  async importToStaging(target: LocalEnvironment, backup: string, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const file = this.stagingFile(target, operationId);
    const done = await readJson<StagingManifest>(this.stagingManifest(target, operationId));
    if (done && fs.existsSync(file)) {
      return {
        bytes: done.bytes,
        durationMs: 0,
        staging: this.stagingHolding(target, file, done.bytes),
        resumed: true,
        notes: ['The backup was already restored into staging by an earlier attempt'],
      };
    }
    const started = performance.now();
    const bytes = await importBackupFile(backup, file, ctx);
    await writeJsonAtomic(this.stagingManifest(target, operationId), {
      operationId,
      completedAt: this.now().toISOString(),
      bytes,
      origin: backup,
    } satisfies StagingManifest);
    return {
      bytes,
      durationMs: performance.now() - started,
      staging: this.stagingHolding(target, file, bytes),
      resumed: false,
      notes: [`Restored the backup into staging (${formatBytes(bytes)})`],
    };
  }
}
