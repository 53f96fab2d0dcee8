import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codecPool, withThread } from './threads/thread-pool';

/**
 * A transactionally consistent copy of a live SQLite database at the speed of a plain file
 * copy, without ever writing the source.
 *
 * The source is opened read-only and a read transaction is held while the kernel copies the
 * file (copy_file_range/sendfile through fs.copyFile):
 * - rollback-journal mode: the read transaction's SHARED lock stops any writer from
 *   committing, so the file cannot change under the copy; readers carry on.
 * - WAL mode: writers carry on; the open read snapshot stops the WAL from being reset, so
 *   the database file plus the WAL copied after it always replay to a committed state.
 * The online backup API would give the same guarantee but measured 3 to 9 times slower
 * than cp on this class of machine (VACUUM INTO 9 to 12 times); this is a single kernel copy.
 * The read transaction lives on a database thread (threads/), never on the event loop.
 *
 * `durable: false` leaves the copy in the page cache like cp does, instead of waiting for
 * the disk: the caller must fsync before it relies on the copy surviving a machine crash
 * (the local engine fsyncs staging before SWAP, and records the boot a staging copy was made
 * in so that a copy from before a crash is never trusted). That wait was a third of COPY.
 */
export interface CopyProgress {
  copiedBytes: number;
  totalBytes: number;
}

export interface ConsistentCopyResult {
  bytes: number;
  journalMode: string;
  durationMs: number;
  /**
   * When the copy's snapshot was pinned (read right after the read transaction took it): the
   * copy holds the source exactly as it was at this moment. In rollback-journal mode no writer
   * can commit from then until the copy ends.
   */
  snapshotAt: Date;
}

export async function consistentCopy(
  sourceFile: string,
  destinationFile: string,
  onProgress: (p: CopyProgress) => void = () => {},
  options: { signal?: AbortSignal; midpoint?: () => Promise<void> | void; durable?: boolean; fence?: () => Promise<void>; clock?: () => Date } = {},
): Promise<ConsistentCopyResult> {
  const durable = options.durable ?? true;
  const started = performance.now();
  const partial = `${destinationFile}.partial`;
  await fs.promises.mkdir(path.dirname(destinationFile), { recursive: true });
  await removeIfExists(partial);
  await removeIfExists(`${partial}-wal`);

  let snapshotAt = new Date();
  const journalMode = await withThread(async (thread) => {
    const lock = await thread.call<{ handle: number; journalMode: string }>({ op: 'readLock', file: sourceFile, busyTimeoutMs: 30_000 });
    // The read lock pins the state the copy holds: that is the time of the copy's snapshot.
    snapshotAt = options.clock?.() ?? new Date();
    try {
      const totalBytes = (await fs.promises.stat(sourceFile)).size;
      await copyWithProgress(sourceFile, partial, totalBytes, onProgress, options);
      if (lock.journalMode === 'wal' && fs.existsSync(`${sourceFile}-wal`)) {
        await fs.promises.copyFile(`${sourceFile}-wal`, `${partial}-wal`, fs.constants.COPYFILE_EXCL);
      }
    } finally {
      await thread.call({ op: 'close', handle: lock.handle });
    }
    return lock.journalMode;
  });

  if (journalMode === 'wal') {
    // Fold the copied WAL into the copy and make it a self-contained rollback-journal file.
    await withThread((thread) => thread.call({ op: 'foldWal', file: partial }));
    await removeIfExists(`${partial}-wal`);
    await removeIfExists(`${partial}-shm`);
  }
  // A cancelled attempt, or one a newer attempt has superseded, never renames its copy into
  // place. It leaves the partial file alone too: by that name it may be the newer attempt's.
  options.signal?.throwIfAborted();
  await options.fence?.();
  if (durable) await fsyncFile(partial);
  await fs.promises.rename(partial, destinationFile);
  if (durable) await fsyncDirectory(path.dirname(destinationFile));
  const bytes = (await fs.promises.stat(destinationFile)).size;
  return { bytes, journalMode, durationMs: performance.now() - started, snapshotAt };
}

async function copyWithProgress(
  from: string,
  to: string,
  totalBytes: number,
  onProgress: (p: CopyProgress) => void,
  options: { signal?: AbortSignal; midpoint?: () => Promise<void> | void; fence?: () => Promise<void> },
): Promise<void> {
  if (options.midpoint) {
    // Fault injection wants to act halfway through: copy the first half, act, then the rest.
    await copyRange(from, to, 0, Math.floor(totalBytes / 2));
    onProgress({ copiedBytes: Math.floor(totalBytes / 2), totalBytes });
    await options.midpoint();
    // The second half is a write phase of its own: a superseded or cancelled attempt stops here.
    options.signal?.throwIfAborted();
    await options.fence?.();
    await copyRange(from, to, Math.floor(totalBytes / 2), totalBytes);
    onProgress({ copiedBytes: totalBytes, totalBytes });
    return;
  }
  const timer = setInterval(() => {
    fs.promises.stat(to).then(
      (stat) => onProgress({ copiedBytes: stat.size, totalBytes }),
      () => undefined,
    );
  }, 250);
  try {
    options.signal?.throwIfAborted();
    // EXCL, as cp does: without it libuv truncates the new file to zero before copying, and
    // ext4 (auto_da_alloc) then treats the file as replaced and starts writeback on close,
    // which measured 185 ms of a 400 ms copy of 478 MB. The partial file was removed above.
    await fs.promises.copyFile(from, to, fs.constants.COPYFILE_EXCL);
  } finally {
    clearInterval(timer);
  }
  onProgress({ copiedBytes: totalBytes, totalBytes });
}

async function copyRange(from: string, to: string, start: number, end: number): Promise<void> {
  const input = await fs.promises.open(from, 'r');
  const output = await fs.promises.open(to, start === 0 ? 'w' : 'r+');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    let position = start;
    while (position < end) {
      const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      await output.write(buffer, 0, bytesRead, position);
      position += bytesRead;
    }
  } finally {
    await input.close();
    await output.close();
  }
}

/** Identifies this boot of the machine: page-cache-only files from an earlier boot may be torn. */
export function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `booted-${Math.round((Date.now() - os.uptime() * 1000) / 60_000)}`;
  }
}

export async function removeIfExists(file: string): Promise<boolean> {
  try {
    await fs.promises.rm(file, { force: false });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a whole file, computed on a codec thread (a 2 GB file is seconds of CPU the event loop never sees). */
export async function sha256File(file: string): Promise<string> {
  const size = (await fs.promises.stat(file)).size;
  return codecPool.run<string>({ op: 'hashRange', file, start: 0, end: size });
}

/** Writes JSON next to the data it describes, atomically, so a crash never leaves half a manifest. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.writeFile(tmp, JSON.stringify(value, null, 2));
  await fsyncFile(tmp);
  await fs.promises.rename(tmp, file);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.promises.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
