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
import { SqliteSession, type SessionGuard } from './sqlite-session';
import { exportBackupFile, importBackupFile, InvalidBackupError, readBackupManifest } from './backup-file';
import { rewriteWithoutFreeSpace, sealingFile } from './seal';
import { confirmSwap, exactRanges, fileIdentity, observations, observe, pruneObservations } from './timeline';
import { planRestore } from '../../common/restore-plan';
import { parseDuration } from '../../config/durations';
import { formatBytes } from '../../common/format';
import { DatabaseCorrupt, RestoreNotExact, StagingLost, TargetBusy } from '../../common/errors';
import { describeHolders, fileHolders, processAlive } from './file-holders';
import { acquireThread, releaseThread } from './threads/thread-pool';
import type { ExclusiveAttempt, IntegrityReport } from './threads/thread-protocol';
import { asEngineError } from './sqlite-errors';
import { readSqliteHeader } from './sqlite-header';
import { abortReason, sleep } from '../abort';
import type { IntegrityResult, TargetWrites } from '../port';

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
  /** The boot the copy was made in: staging is not fsynced until VERIFY seals it, so a restart since voids it. */
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

/** Integrity checks of live databases, shared by operations that read the same unchanged file. */
const recentChecks = new Map<string, { at: number; result: Promise<IntegrityResult> }>();

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

  private restorePointManifest(env: LocalEnvironment, operationId: string): string {
    return path.join(this.workDir(env), 'restore-points', `${operationId}.json`);
  }

  /** Every file of an operation's staging, by kind: the copy, its partial, the seal's rewrite, a rollback's copy. */
  private stagingFiles(env: LocalEnvironment, operationId: string): [Holding['kind'], string][] {
    const staging = this.stagingFile(env, operationId);
    return [
      ['staging', staging],
      ['staging', `${staging}.partial`],
      ['temporary', sealingFile(staging)],
      ['temporary', this.rollbackFile(env, operationId)],
    ];
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

  async openLive(env: LocalEnvironment, ctx?: SessionGuard): Promise<DataSession> {
    // Reads only: a live session never passes the fence, it never writes.
    return SqliteSession.open(this.databaseFile(env), 'read-only', `${env.name} (live, read-only)`, ctx ? { signal: ctx.signal } : undefined);
  }

  async openStaging(target: LocalEnvironment, operationId: string, ctx?: SessionGuard): Promise<DataSession> {
    const file = this.stagingFile(target, operationId);
    if (!fs.existsSync(file)) {
      throw new Error(`The staging database of operation ${operationId} for ${target.name} does not exist (${file}); run the COPY step first`);
    }
    await this.assertStagingFromThisBoot(target, operationId);
    const session = await SqliteSession.open(file, 'read-write', `${target.name} (staging of ${operationId})`, ctx);
    // Staging is scratch until VERIFY seals it, and the seal fsyncs what it installs. Commits
    // here need not reach the disk: with SQLite's default (FULL) every SCRUB commit flushed the
    // whole fresh copy: 20 refreshes at once at 1M rows wrote 7.3 GB to disk with it and
    // 5.3-6.5 GB without it (bench runs). A process crash loses nothing (the OS has the writes); a machine
    // crash is caught by assertStagingFromThisBoot.
    await session.pragma('synchronous = OFF');
    return session;
  }

  /** The manifest of staging an earlier attempt completed in this boot, for a retried step to reuse. */
  private async completedStaging(target: LocalEnvironment, operationId: string): Promise<StagingManifest | undefined> {
    const done = await readJson<StagingManifest>(this.stagingManifest(target, operationId));
    return done && fs.existsSync(this.stagingFile(target, operationId)) && done.bootId === bootId() ? done : undefined;
  }

  /** Staging is complete: what it holds, where from, and the boot it was written in. */
  private async recordStaging(target: LocalEnvironment, operationId: string, bytes: number, origin: string): Promise<void> {
    await writeJsonAtomic(this.stagingManifest(target, operationId), {
      operationId,
      completedAt: this.now().toISOString(),
      bytes,
      origin,
      bootId: bootId(),
    } satisfies StagingManifest);
  }

  /**
   * Staging written before the machine restarted cannot be trusted until it is sealed: its
   * writes lived in the page cache, so a restart can have lost some of SCRUB's changes and left
   * values that scrubbing removed. Once sealed (fsynced), it is durable and trusted.
   */
  private async assertStagingFromThisBoot(target: LocalEnvironment, operationId: string, manifest: StagingManifest | undefined = undefined): Promise<void> {
    manifest ??= await readJson<StagingManifest>(this.stagingManifest(target, operationId));
    if (!manifest?.bootId || manifest.bootId === bootId() || (await this.currentSeal(target, operationId, manifest))) return;
    throw new StagingLost(
      `The staging copy of ${operationId} for ${target.name} was made before this machine restarted, and its writes are only flushed to disk when VERIFY seals it: ` +
        `some of them (SCRUB's among them) may be lost. Roll the operation back (dbmove rollback ${operationId}) and start it again; COPY makes a fresh staging copy.`,
    );
  }

  async checkIntegrity(
    env: LocalEnvironment,
    which: { staging: string } | 'live',
    level: 'header' | 'quick' | 'full',
    ctx: EngineContext,
  ): Promise<IntegrityResult> {
    const file = which === 'live' ? this.databaseFile(env) : this.stagingFile(env, which.staging);
    const header = await readSqliteHeader(file);
    if (header.problem || level === 'header') {
      return { ok: !header.problem, level, location: file, messages: header.problem ? [header.problem] : [], tables: [], durationMs: 0 };
    }
    if (which !== 'live') return this.runIntegrityCheck(file, level, ctx);
    // Operations that read the same unchanged source (twenty refreshes from prod) share one
    // check: the file's size, modification time and commit counter (and its WAL's) say it is
    // the same database the check read.
    const wal = await fs.promises.stat(`${file}-wal`).catch(() => undefined);
    const stat = await fs.promises.stat(file);
    const key = `${file}|${level}|${stat.size}|${stat.mtimeMs}|${header.changeCounter}|${wal?.size ?? '-'}|${wal?.mtimeMs ?? '-'}`;
    const cached = recentChecks.get(key);
    let result = cached && Date.now() - cached.at < 10 * 60_000 ? cached.result : undefined;
    if (!result) {
      result = this.runIntegrityCheck(file, level, { ...ctx, signal: new AbortController().signal });
      recentChecks.set(key, { at: Date.now(), result });
      const settled = result;
      settled.catch(() => recentChecks.delete(key));
    }
    // Shared, so one caller's cancellation does not stop the check the others wait for.
    const shared = result;
    return new Promise<IntegrityResult>((resolve, reject) => {
      const onAbort = () => reject(abortReason(ctx.signal));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      shared.then(resolve, reject).finally(() => ctx.signal.removeEventListener('abort', onAbort));
    });
  }

  private async runIntegrityCheck(file: string, level: 'quick' | 'full', ctx: EngineContext): Promise<IntegrityResult> {
    const thread = acquireThread();
    const stop = () => void thread.terminate(abortReason(ctx.signal));
    ctx.signal.addEventListener('abort', stop);
    try {
      ctx.signal.throwIfAborted();
      const report = await thread.call<IntegrityReport>({ op: 'integrity', file, level, maxErrors: 20 });
      return { ...report, location: file };
    } catch (err) {
      ctx.signal.throwIfAborted();
      const mapped = asEngineError(err, file);
      if (mapped instanceof DatabaseCorrupt) return { ok: false, level, location: file, messages: [(err as Error).message], tables: [], durationMs: 0 };
      throw mapped;
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      releaseThread(thread);
    }
  }

  async freeSpace(env: LocalEnvironment): Promise<{ location: string; freeBytes: number }> {
    let dir = this.workDir(env);
    while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const stat = await fs.promises.statfs(dir);
    return { location: dir, freeBytes: Number(stat.bavail) * Number(stat.bsize) };
  }

  /**
   * What crashed processes left behind, by name pattern: `*.tmp-<pid>` files of processes that
   * are gone, and `*.partial` copies no process holds open that have not changed for ten
   * minutes (a live copy is held open by the worker writing it). Operations in `keep` are
   * never touched.
   */
  async removeLeftovers(env: LocalEnvironment, keepOperationIds: string[] = []): Promise<string[]> {
    const removed: string[] = [];
    const folders = ['staging', 'restore-points', 'operations', 'history'].map((d) => path.join(this.workDir(env), d));
    for (const dir of folders) {
      let names: string[];
      try {
        names = await fs.promises.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (keepOperationIds.some((id) => name.startsWith(`${id}.`))) continue;
        const file = path.join(dir, name);
        const tmp = /\.tmp-(\d+)$/.exec(name);
        let leftover = false;
        if (tmp) leftover = !processAlive(Number(tmp[1]));
        else if (/\.partial(-wal|-shm|-journal)?$/.test(name)) {
          const stat = await fs.promises.stat(file).catch(() => undefined);
          leftover = !!stat && Date.now() - stat.mtimeMs > 10 * 60_000 && (await fileHolders(file)).length === 0;
        }
        if (leftover && (await removeIfExists(file))) removed.push(file);
      }
    }
    return removed;
  }

  async markPointInTime(target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<Marker> {
    const file = this.restorePointFile(target, operationId);
    const manifestFile = this.restorePointManifest(target, operationId);
    const existing = await readJson<RestorePointManifest>(manifestFile);
    if (existing && fs.existsSync(file)) {
      ctx.log(`Restore point for ${operationId} already taken at ${existing.at}; reusing it`);
      return { environment: target.name, at: existing.at, restorePoint: path.basename(file), checksum: existing.checksum };
    }
    await ctx.fence?.('marker');
    const copy = await consistentCopy(
      this.databaseFile(target),
      file,
      (p) => ctx.progress(p.totalBytes ? (90 * p.copiedBytes) / p.totalBytes : 90, 'taking restore point'),
      { signal: ctx.signal, fence: () => ctx.fence?.('marker') ?? Promise.resolve(), clock: () => this.now() },
    );
    // The point holds the target as it was when the copy's read snapshot was taken.
    const at = copy.snapshotAt.toISOString();
    ctx.progress(90, 'checksumming the restore point');
    const checksum = await sha256File(file);
    await ctx.fence?.('marker');
    const identity = await this.readIdentity(target);
    await writeJsonAtomic(manifestFile, { environment: target.name, operationId, at, checksum, bytes: copy.bytes, identity } satisfies RestorePointManifest);
    // Read after the copy: unchanged since the last swap means unchanged through the snapshot too.
    await confirmSwap(this.workDir(target), await fileIdentity(this.databaseFile(target)), checksum);
    await observe(this.workDir(target), { at, sha256: checksum, operationId, event: 'restore-point' });
    return { environment: target.name, at, restorePoint: path.basename(file), checksum };
  }

  async copyToStaging(source: LocalEnvironment, target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const file = this.stagingFile(target, operationId);
    const done = await this.completedStaging(target, operationId);
    if (done) {
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
      // Not fsynced here: staging is scratch until VERIFY seals it (a rewrite, fsynced), and a
      // restart before then voids it (assertStagingFromThisBoot).
      {
        signal: ctx.signal,
        midpoint: ctx.checkpoint ? () => ctx.checkpoint!('copy-midpoint') : undefined,
        durable: false,
        fence: () => ctx.fence?.('copy') ?? Promise.resolve(),
      },
    );
    await ctx.fence?.('copy');
    await this.recordStaging(target, operationId, copy.bytes, source.name);
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
    // The staging copy's pages are checked before the target goes offline: a damaged copy is never swapped in.
    if (target.integrityCheck !== 'off') {
      const check = await this.checkIntegrity(target, { staging: operationId }, target.integrityCheck === 'full' ? 'full' : 'quick', ctx);
      if (!check.ok) {
        throw new DatabaseCorrupt(
          `The staging copy of ${operationId} for ${target.name} is damaged${check.tables.length ? ` in ${check.tables.join(', ')}` : ''}: ${check.messages.slice(0, 3).join('; ')}. ` +
            `It was not swapped in and ${target.name} is as it was; a retry checks the same copy. Roll back (the copy is dropped) and start the operation again`,
        );
      }
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
   * Takes the target offline (an exclusive lock keeps every other connection out), renames the
   * replacement over it, and lets go. The rename is atomic, so the live name always points at a
   * complete database; the measured window is lock to rename.
   *
   * A busy target (a reader, a writer, an application holding it open) never blocks the
   * worker: the lock is tried without waiting, on a database thread, every 50 ms. A failed try
   * leaves no lock behind, so the target keeps serving its users while SWAP waits; the
   * processes holding it are named in the step's progress and log, and after the bounded wait
   * (`timeouts.swapWait`, 30 s by default) SWAP fails with TargetBusy naming them. A WAL-mode
   * target is swapped once no connection reads it, and stays in WAL mode.
   */
  private async replaceLiveFile(target: LocalEnvironment, replacement: string, ctx: EngineContext): Promise<SwapResult> {
    const started = performance.now();
    const live = this.databaseFile(target);
    const waitMs = parseDuration(target.timeouts?.swapWait ?? '30s');
    const liveHeader = await readSqliteHeader(live);
    const notes: string[] = [];
    if (liveHeader.wal) {
      // The target's journal mode travels with the data: the replacement becomes a WAL database too.
      const session = await SqliteSession.open(replacement, 'read-write', `${target.name} (replacement, switched to WAL)`);
      try {
        await session.pragma('journal_mode = WAL');
      } finally {
        await session.close();
      }
      notes.push(`${target.name} is a WAL-mode database; the replacement was switched to WAL mode before the swap`);
    }
    // The replacement reaches the disk before its name can: a crash never leaves a torn live database.
    await fsyncFile(replacement);
    await ctx.fence?.('swap');
    const thread = acquireThread();
    let lock: ExclusiveAttempt | undefined;
    let windowMs: number;
    try {
      const deadline = performance.now() + waitMs;
      let nextReport = performance.now();
      let holders = '';
      let offline = performance.now();
      for (;;) {
        ctx.signal.throwIfAborted();
        offline = performance.now();
        lock = await thread.call<ExclusiveAttempt>({ op: 'tryExclusive', file: live });
        if (lock.locked) break;
        const now = performance.now();
        if (now >= nextReport || now >= deadline) {
          holders = describeHolders(await fileHolders(live));
          nextReport = now + 2_000;
          const waited = ((now - (deadline - waitMs)) / 1000).toFixed(1);
          ctx.progress(
            Math.min(99, (100 * (now - (deadline - waitMs))) / waitMs),
            `waiting for ${target.name} to be let go by ${holders} (${waited} s of ${waitMs / 1000} s)`,
          );
          ctx.log(`SWAP waits for ${target.name}: held by ${holders}; ${target.name} stays available meanwhile`);
        }
        if (now >= deadline) {
          throw new TargetBusy(
            `${target.name} (${live}) is still held by ${holders} after ${waitMs / 1000} s; SWAP needs it to itself for a moment. ` +
              `Stop or disconnect them (the application's connections to ${target.name}), or raise timeouts.swapWait for ${target.name} in the catalog, then retry`,
          );
        }
        await sleep(50, ctx.signal);
      }
      const waitedMs = offline - started;
      if (waitedMs > 500)
        notes.push(`Waited ${(waitedMs / 1000).toFixed(1)} s for ${holders || 'other connections'} to let go of ${target.name}; it stayed available meanwhile`);
      await ctx.fence?.('swap');
      if (lock.journalMode === 'wal') {
        // Nothing of the old WAL may outlive it: fold it, then leave WAL mode on the old file so
        // that no -wal or -shm file of it is left for the new database to replay.
        await thread.call({ op: 'pragma', handle: lock.handle!, pragma: 'journal_mode = DELETE' });
        await removeIfExists(`${live}-wal`);
        await removeIfExists(`${live}-shm`);
      }
      await fs.promises.rename(replacement, live);
      windowMs = performance.now() - offline;
    } finally {
      if (lock?.locked && thread.alive) await thread.call({ op: 'close', handle: lock.handle! }).catch(() => undefined);
      releaseThread(thread);
    }
    await fsyncDirectory(path.dirname(live));
    ctx.progress(100, 'swapped');
    return {
      unavailableWindowMs: windowMs,
      durationMs: performance.now() - started,
      resumed: false,
      notes: [`${target.name} was unavailable for ${windowMs.toFixed(2)} ms (exclusive lock to atomic rename)`, ...notes],
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
    await ctx.fence?.('rollback');
    await consistentCopy(restorePoint, temp, (p) => ctx.progress(p.totalBytes ? (90 * p.copiedBytes) / p.totalBytes : 90, 'copying restore point'), {
      signal: ctx.signal,
      fence: () => ctx.fence?.('rollback') ?? Promise.resolve(),
    });
    // The restored file takes back the identity the target had at the marker, in the same rename.
    const atMarker = (await readJson<RestorePointManifest>(this.restorePointManifest(target, operationId)))?.identity;
    if (atMarker) writeIdentityRecord(temp, this.databaseFile(target), atMarker);
    const result = await this.replaceLiveFile(target, temp, ctx);
    // A copy of a restore point (rollback-journal mode, so byte for byte): the target holds the marker's content again.
    await observe(this.workDir(target), { at: this.now().toISOString(), sha256: marker.checksum, operationId, event: 'rollback' });
    return record({ ...result, notes: [...result.notes, `Restored ${target.name} to its restore point of ${marker.at}`] });
  }

  /**
   * Rows the target's own users changed since MARKER. In rollback-journal mode SQLite counts
   * every commit in the file's header: an unchanged counter (and size) means nothing was
   * written, at no cost. Otherwise (or in WAL mode, where the header is not touched per
   * commit) each table is compared with the restore point, row by row, on a database thread.
   */
  async writesSinceMarker(target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<TargetWrites> {
    const point = this.restorePointFile(target, operationId);
    if (!fs.existsSync(point)) return { changed: 'unknown', rows: 0, tables: [], method: 'no restore point of this operation' };
    const [live, marked] = await Promise.all([readSqliteHeader(this.databaseFile(target)), readSqliteHeader(point)]);
    if (!live.wal && live.changeCounter === marked.changeCounter && live.bytes === marked.bytes) {
      return { changed: false, rows: 0, tables: [], method: "SQLite's file change counter is as it was at MARKER" };
    }
    ctx.progress(0, `comparing ${target.name} with its restore point`);
    const noticeDir = path.join(this.workDir(target), 'notices');
    const ownNotices: number[] = [];
    for (const name of await fs.promises.readdir(noticeDir).catch(() => [] as string[])) {
      const recId = (await readJson<{ recId?: number }>(path.join(noticeDir, name)).catch(() => undefined))?.recId;
      if (Number.isInteger(recId)) ownNotices.push(recId!);
    }
    const session = await SqliteSession.open(this.databaseFile(target), 'read-only', `${target.name} (live, compared with MARKER)`, { signal: ctx.signal });
    try {
      await session.execute('ATTACH DATABASE ? AS marker', [point]);
      const names = async (schema: string) =>
        (await session.query<{ name: string }>(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)).map(
          (r) => r.name,
        );
      const [now, then] = await Promise.all([names('main'), names('marker')]);
      const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
      const tables: { table: string; rows: number }[] = [];
      for (const table of [...new Set([...now, ...then])].sort()) {
        let rows: number;
        if (!then.includes(table)) rows = Number((await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM main.${q(table)}`))[0].n);
        else if (!now.includes(table)) rows = Number((await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM marker.${q(table)}`))[0].n);
        else {
          // Inserted or changed rows (by rowid and content), plus deleted rowids; tables
          // WITHOUT ROWID are compared by content both ways.
          // dbmove's own downtime notices (NOTIFY, by RECID in notices/) are not writes of the target's users.
          const own = /^sysbroadcastmessage$/i.test(table) && ownNotices.length ? ` WHERE RECID NOT IN (${ownNotices.join(', ')})` : '';
          const [m, k] = [`(SELECT rowid AS dbmove_rowid, * FROM main.${q(table)}${own})`, `(SELECT rowid AS dbmove_rowid, * FROM marker.${q(table)}${own})`];
          const byRowid = `SELECT (SELECT COUNT(*) FROM (SELECT * FROM ${m} EXCEPT SELECT * FROM ${k})) + (SELECT COUNT(*) FROM (SELECT dbmove_rowid FROM ${k} EXCEPT SELECT dbmove_rowid FROM ${m})) AS n`;
          const plain = (schema: string) => `(SELECT * FROM ${schema}.${q(table)}${own})`;
          const byContent = `SELECT (SELECT COUNT(*) FROM (SELECT * FROM ${plain('main')} EXCEPT SELECT * FROM ${plain('marker')})) + (SELECT COUNT(*) FROM (SELECT * FROM ${plain('marker')} EXCEPT SELECT * FROM ${plain('main')})) AS n`;
          try {
            rows = Number((await session.query<{ n: number }>(byRowid))[0].n);
          } catch {
            // WITHOUT ROWID tables have no rowid: compared by content both ways.
            rows = Number((await session.query<{ n: number }>(byContent))[0].n);
          }
        }
        if (rows > 0) tables.push({ table, rows });
      }
      const total = tables.reduce((n, t) => n + t.rows, 0);
      return { changed: total > 0, rows: total, tables, method: 'compared table by table with the restore point' };
    } finally {
      await session.close();
    }
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
    for (const [, file] of this.stagingFiles(target, operationId)) {
      if (await removeIfExists(file)) removed.push(this.stagingHolding(target, file));
      await removeIfExists(`${file}-journal`);
    }
    await removeIfExists(this.stagingManifest(target, operationId));
    return removed;
  }

  async holdings(env: LocalEnvironment, operationId: string): Promise<Holding[]> {
    const candidates: [Holding['kind'], string][] = [...this.stagingFiles(env, operationId), ['restore-point', this.restorePointFile(env, operationId)]];
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
    const manifestFile = this.restorePointManifest(env, operationId);
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
    await ctx.fence?.('restore');
    const copy = await consistentCopy(
      chosen.file,
      file,
      (p) => ctx.progress(p.totalBytes ? (100 * p.copiedBytes) / p.totalBytes : 100, 'copying restore point'),
      {
        signal: ctx.signal,
        fence: () => ctx.fence?.('restore') ?? Promise.resolve(),
      },
    );
    await this.recordStaging(target, operationId, copy.bytes, chosen.id);
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
  async sealStaging(target: LocalEnvironment, operationId: string, ctx: EngineContext): Promise<SealResult> {
    const file = this.stagingFile(target, operationId);
    const manifestFile = this.stagingManifest(target, operationId);
    const manifest = await readJson<StagingManifest>(manifestFile);
    const seal = await this.currentSeal(target, operationId, manifest);
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
    await this.assertStagingFromThisBoot(target, operationId, manifest);
    const rewrite = await rewriteWithoutFreeSpace(file, ctx);
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

  /** The seal of staging if the file is still exactly what sealStaging left (`manifest`: the staging manifest, when already read). */
  private async currentSeal(target: LocalEnvironment, operationId: string, manifest?: StagingManifest): Promise<SealRecord | undefined> {
    const sealed = (manifest ?? (await readJson<StagingManifest>(this.stagingManifest(target, operationId))))?.sealed;
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
    const db = await SqliteSession.open(this.databaseFile(env), 'read-write', `${env.name} (live, downtime notice)`);
    let recId = 0;
    try {
      await db.transaction(async () => {
        if (known) {
          const moved = await db.execute('UPDATE SYSBROADCASTMESSAGE SET FROMDATETIME = ?, TODATETIME = ?, RECVERSION = RECVERSION + 1 WHERE RECID = ?', [
            from.toISOString(),
            to.toISOString(),
            known.recId,
          ]);
          if (moved > 0) {
            recId = known.recId;
            return;
          }
        }
        await db.execute("INSERT INTO SYSBROADCASTMESSAGE (FROMDATETIME, TODATETIME, AOSID) VALUES (?, ?, '')", [from.toISOString(), to.toISOString()]);
        recId = Number((await db.query<{ id: number }>('SELECT last_insert_rowid() AS id'))[0].id);
      });
    } finally {
      await db.close();
    }
    await writeJsonAtomic(journal, { recId, message });
  }

  async withdrawBroadcast(env: LocalEnvironment, message: string): Promise<boolean> {
    const journal = this.noticeFile(env, message);
    const known = await readJson<{ recId: number }>(journal);
    if (!known) return false;
    const db = await SqliteSession.open(this.databaseFile(env), 'read-write', `${env.name} (live, downtime notice)`);
    try {
      const removed = (await db.execute('DELETE FROM SYSBROADCASTMESSAGE WHERE RECID = ?', [known.recId])) > 0;
      await removeIfExists(journal);
      return removed;
    } finally {
      await db.close();
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
    const done = await this.completedStaging(target, operationId);
    if (done) {
      return {
        bytes: done.bytes,
        durationMs: 0,
        staging: this.stagingHolding(target, file, done.bytes),
        resumed: true,
        notes: ['The backup was already restored into staging by an earlier attempt'],
      };
    }
    const started = performance.now();
    await ctx.fence?.('restore');
    const bytes = await importBackupFile(backup, file, ctx);
    await this.recordStaging(target, operationId, bytes, backup);
    return {
      bytes,
      durationMs: performance.now() - started,
      staging: this.stagingHolding(target, file, bytes),
      resumed: false,
      notes: [`Restored the backup into staging (${formatBytes(bytes)})`],
    };
  }
}
