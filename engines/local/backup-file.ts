import { DbmoveError } from '../../common/errors';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import type { BackupManifest, EngineContext, ExportResult } from '../port';
import { removeIfExists, sha256File } from './consistent-copy';
import { codecPool, withThread } from './threads/thread-pool';
import { unreadableFileReason } from '../../config/files';

/**
 * The local engine's portable backup: one file.
 *
 *   DBMOVE-BACKUP 2\n
 *   {manifest JSON on one line, padded with spaces}\n
 *   <zstd frames of the SQLite database file, one per 8 MiB of it>
 *
 * Each 8 MiB of the database is compressed as its own zstd frame (level 3, with zstd's
 * content size and checksum) on a codec thread by zstd's own multi-threaded compressor, one
 * worker per core (as `zstd -T0` does), so both cores compress while the event loop only reads,
 * hashes and writes. The frames concatenated are a valid zstd
 * stream: `tail -c +<offset> backup | zstd -d` gives the database back with nothing but zstd.
 * The manifest lists every frame (compressed bytes, database bytes), so the import decompresses
 * frames in parallel, and it carries two SHA-256 checksums of the whole: of the payload,
 * checked before anything is decompressed (decompression is deterministic, so matching
 * compressed bytes give the exporter's database bytes), and of the database bytes. zstd checks
 * each frame's own checksum as it decompresses it, and the import checks each frame's size. A
 * corrupted, truncated or foreign file is refused before any target is touched.
 *
 * Format 1 (`DBMOVE-BACKUP 1`, one gzip stream, written before this version) is still read and
 * imported.
 */
export const BACKUP_MAGIC = 'DBMOVE-BACKUP 2';
const MAGIC_V1 = 'DBMOVE-BACKUP 1';
/** Database bytes per frame: large enough for zstd's window at level 3, small enough for two cores to share. */
export const FRAME_BYTES = 8 << 20;
const LEVEL = 3;

/** One frame: its compressed bytes and its database bytes. */
export type FrameEntry = [compressedBytes: number, contentBytes: number];

/** The manifest line of a backup file: the port's manifest (checked field by field on import) plus the file's own facts. */
export interface BackupFileManifest extends Partial<Omit<BackupManifest, 'content'>> {
  format: 'dbmove-backup';
  formatVersion: 1 | 2;
  payload: { encoding: 'gzip' | 'zstd'; bytes: number; sha256: string; frames?: FrameEntry[] };
  content: { bytes: number; sha256: string };
}

export class InvalidBackupError extends DbmoveError {
  constructor(file: string, problem: string, fix: string) {
    super('InvalidBackup', `${file} is not a usable dbmove backup: ${problem}. ${fix}`);
  }
}

/** The manifest's length when every number is as long as it can be: the header space reserved before the frames are known. */
function reservedManifestLength(manifest: Omit<BackupManifest, 'content'>, frames: number): number {
  const widest = 999_999_999_999_999;
  const placeholder: BackupFileManifest = {
    ...manifest,
    format: 'dbmove-backup',
    formatVersion: 2,
    payload: { encoding: 'zstd', bytes: widest, sha256: 'f'.repeat(64), frames: Array.from({ length: frames }, () => [widest, widest]) },
    content: { bytes: widest, sha256: 'f'.repeat(64) },
  };
  return Buffer.byteLength(JSON.stringify(placeholder));
}

/** Runs `produce(i)` for i in order with at most `width` in flight, handing results to `consume` in order. */
async function ordered<T>(count: number, width: number, produce: (i: number) => Promise<T>, consume: (value: T, i: number) => Promise<void>): Promise<void> {
  const inFlight: Promise<T>[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    while (next < count && inFlight.length < width) {
      const job = produce(next++);
      // Awaited in order below; a later job failing first must not count as unhandled.
      job.catch(() => undefined);
      inFlight.push(job);
    }
    const value = await inFlight.shift()!;
    await consume(value, i);
  }
}

/**
 * Writes the backup of `databaseFile` to `destination`. With `durable` (the default) the file
 * is fsynced before it takes its name, so a backup reported written survives a machine crash;
 * the bench times the writer without it, beside zstd, which has none, and reports the fsync.
 */
export async function exportBackupFile(
  databaseFile: string,
  destination: string,
  manifest: Omit<BackupManifest, 'content'>,
  ctx: EngineContext,
  options: { durable?: boolean } = {},
): Promise<ExportResult> {
  const started = performance.now();
  await fs.promises.mkdir(path.dirname(path.resolve(destination)), { recursive: true });
  const total = (await fs.promises.stat(databaseFile)).size;
  const frameCount = Math.ceil(total / FRAME_BYTES);
  const reserved = reservedManifestLength(manifest, frameCount);
  const headerBytes = Buffer.byteLength(`${BACKUP_MAGIC}\n`) + reserved + 1;
  const partial = `${destination}.partial`;
  await removeIfExists(partial);
  const payloadHash = crypto.createHash('sha256');
  const frames: FrameEntry[] = [];
  const output = await fs.promises.open(partial, 'wx');
  let offset = headerBytes;
  // The database's SHA-256 is one sequential pass: a database thread reads and hashes it while
  // the codec threads compress, so the event loop only writes frames and hashes the (smaller) payload.
  const contentSha = withThread((thread) => thread.call<string>({ op: 'hashRange', file: databaseFile, start: 0, end: total }));
  contentSha.catch(() => undefined);
  try {
    // Each codec thread reads its 8 MiB and compresses it as one frame (as zstd -T0 gives each
    // worker its own job); frames come back in any order and are written in order.
    await ordered(
      frameCount,
      codecPool.size * 3,
      async (i) => {
        const length = Math.min(FRAME_BYTES, total - i * FRAME_BYTES);
        return { length, frame: await codecPool.run<Uint8Array>({ op: 'compressRange', file: databaseFile, start: i * FRAME_BYTES, length, level: LEVEL }) };
      },
      async ({ length, frame }, i) => {
        payloadHash.update(frame);
        await output.write(frame, 0, frame.byteLength, offset);
        offset += frame.byteLength;
        frames.push([frame.byteLength, length]);
        ctx.progress(total ? (95 * Math.min(total, (i + 1) * FRAME_BYTES)) / total : 95, 'compressing');
        ctx.signal.throwIfAborted();
      },
    );
    if ((await fs.promises.stat(databaseFile)).size !== total) throw new Error(`${databaseFile} changed size while it was being packaged`);
    const full: BackupFileManifest = {
      ...manifest,
      format: 'dbmove-backup',
      formatVersion: 2,
      payload: { encoding: 'zstd', bytes: offset - headerBytes, sha256: payloadHash.digest('hex'), frames },
      content: { bytes: total, sha256: await contentSha },
    };
    const line = JSON.stringify(full);
    const header = `${BACKUP_MAGIC}\n${line}${' '.repeat(reserved - Buffer.byteLength(line))}\n`;
    await output.write(header, 0, 'utf8');
    if (options.durable !== false) await output.sync();
    await output.close();
    await ctx.fence?.('package');
    await fs.promises.rename(partial, destination);
    ctx.progress(100, 'written');
    return {
      destination: path.resolve(destination),
      bytes: offset,
      checksum: full.content.sha256,
      durationMs: performance.now() - started,
      notes: [`Wrote ${destination}: ${total} database bytes compressed to ${full.payload.bytes} (zstd level ${LEVEL}, ${frameCount} frames)`],
    };
  } catch (err) {
    await output.close().catch(() => undefined);
    await removeIfExists(partial);
    throw err;
  }
}

/**
 * Reads and checks the header, manifest and payload checksum. Touches nothing. With
 * `checkPayload: false` the payload's checksum is left to the caller, who reads it anyway.
 */
export async function readBackupManifest(
  file: string,
  options: { checkPayload?: boolean } = {},
): Promise<{ manifest: BackupFileManifest; payloadOffset: number }> {
  // Before opening it: a folder or a named pipe (which would block the open) is refused in words.
  const unusable = unreadableFileReason(file);
  if (unusable) throw new InvalidBackupError(file, `it ${unusable}`, 'Give the backup file written by `dbmove export`.');
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InvalidBackupError(file, code === 'ENOENT' ? 'the file does not exist' : `it cannot be read (${code})`, 'Check the path given to --input.');
  }
  let manifest: BackupFileManifest;
  let payloadOffset: number;
  try {
    // The manifest line grows with the frame list: read until its newline (at most 64 MiB).
    let head = Buffer.alloc(0);
    let secondNewline = -1;
    let firstNewline = -1;
    for (let size = 1 << 20; ; size *= 4) {
      head = Buffer.alloc(size);
      const { bytesRead } = await handle.read(head, 0, size, 0);
      head = head.subarray(0, bytesRead);
      firstNewline = head.indexOf(0x0a);
      const magic = firstNewline < 0 ? '' : head.subarray(0, firstNewline).toString('latin1');
      if (magic !== BACKUP_MAGIC && magic !== MAGIC_V1) {
        throw new InvalidBackupError(file, 'it does not start with the dbmove backup header', 'Give a file written by `dbmove export`.');
      }
      secondNewline = head.indexOf(0x0a, firstNewline + 1);
      if (secondNewline >= 0 || bytesRead < size || size >= 64 << 20) break;
    }
    if (secondNewline < 0) throw new InvalidBackupError(file, 'the manifest is cut off', 'The file is truncated; export it again.');
    try {
      manifest = JSON.parse(head.subarray(firstNewline + 1, secondNewline).toString('utf8')) as BackupFileManifest;
    } catch {
      throw new InvalidBackupError(file, 'the manifest is not valid JSON', 'The file is corrupted; export it again.');
    }
    const version = head.subarray(0, firstNewline).toString('latin1') === MAGIC_V1 ? 1 : 2;
    const known =
      manifest.format === 'dbmove-backup' &&
      manifest.formatVersion === version &&
      manifest.payload?.sha256 &&
      manifest.content?.sha256 &&
      (version === 1 ? manifest.payload.encoding === 'gzip' : manifest.payload.encoding === 'zstd' && Array.isArray(manifest.payload.frames));
    if (!known) {
      throw new InvalidBackupError(file, `the manifest is not a dbmove backup manifest (version ${version})`, 'Give a file written by `dbmove export`.');
    }
    payloadOffset = secondNewline + 1;
  } finally {
    await handle.close();
  }
  const size = (await fs.promises.stat(file)).size;
  if (size - payloadOffset !== manifest.payload.bytes) {
    throw new InvalidBackupError(
      file,
      `the payload has ${size - payloadOffset} bytes where the manifest says ${manifest.payload.bytes}`,
      'The file is truncated or was altered; export it again.',
    );
  }
  const frames = manifest.payload.frames;
  if (frames && frames.reduce((n, f) => n + f[0], 0) !== manifest.payload.bytes) {
    throw new InvalidBackupError(file, 'the frame list does not add up to the payload', 'The file is corrupted; export it again.');
  }
  if (options.checkPayload === false) return { manifest, payloadOffset };
  // Hashed on a codec thread: a 10 GB backup is seconds of CPU the event loop never sees.
  const payloadSha = await codecPool.run<string>({ op: 'hashRange', file, start: payloadOffset, end: size });
  if (payloadSha !== manifest.payload.sha256) {
    throw new InvalidBackupError(file, 'the payload checksum does not match the manifest', 'The file is corrupted; export it again.');
  }
  return { manifest, payloadOffset };
}

/**
 * Decompresses a checked backup into `destination` and verifies the content checksums. The
 * result is left in the page cache, as COPY leaves its copy: SWAP fsyncs staging before the
 * rename, and the local engine records the boot a staging copy was made in, so that one made
 * before a machine crash is never trusted.
 */
export async function importBackupFile(file: string, destination: string, ctx: EngineContext): Promise<number> {
  // Format 2's payload checksum is checked while its frames are read for decompression (one read, not two).
  const { manifest, payloadOffset } = await readBackupManifest(file, { checkPayload: false });
  if (manifest.formatVersion === 1) await readBackupManifest(file);
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  await removeIfExists(partial);
  try {
    if (manifest.formatVersion === 1) await unpackGzip(file, payloadOffset, manifest, partial, ctx);
    else await unpackFrames(file, payloadOffset, manifest, partial, ctx);
  } catch (err) {
    await removeIfExists(partial);
    if (err instanceof InvalidBackupError || ctx.signal.aborted) throw err;
    throw new InvalidBackupError(file, `the payload does not decompress (${(err as Error).message})`, 'The file is corrupted; export it again.');
  }
  await ctx.fence?.('restore');
  await fs.promises.rename(partial, destination);
  return manifest.content.bytes;
}

/** Format 2: frames decompressed on the codec threads (zstd checks each frame's checksum), written in place. */
async function unpackFrames(file: string, payloadOffset: number, manifest: BackupFileManifest, partial: string, ctx: EngineContext): Promise<void> {
  const frames = manifest.payload.frames!;
  const total = frames.reduce((n, f) => n + f[1], 0);
  if (total !== manifest.content.bytes)
    throw new InvalidBackupError(file, 'the frame list does not add up to the database size', 'The file is corrupted; export it again.');
  // Created empty (and exclusively) here; the codec threads write their frames into it at their offsets.
  const output = await fs.promises.open(partial, 'wx');
  await output.close();
  // The payload's SHA-256 (one sequential pass) on a database thread, while the codec threads
  // decompress: each reads its frame, decompresses it (zstd checks the frame's own checksum)
  // and writes it in place, so no frame passes through the event loop.
  const payloadSha = withThread((thread) => thread.call<string>({ op: 'hashRange', file, start: payloadOffset, end: payloadOffset + manifest.payload.bytes }));
  payloadSha.catch(() => undefined);
  let compressed = payloadOffset;
  let content = 0;
  const jobs = frames.map(([compressedBytes, contentBytes]) => {
    const job = { start: compressed, compressedBytes, contentBytes, intoOffset: content };
    compressed += compressedBytes;
    content += contentBytes;
    return job;
  });
  let written = 0;
  try {
    await ordered(
      jobs.length,
      codecPool.size * 3,
      (i) => codecPool.run<void>({ op: 'decompressRange', file, ...jobs[i], into: partial }),
      async (_done, i) => {
        written += jobs[i].contentBytes;
        ctx.progress(total ? (100 * written) / total : 100, 'restoring backup');
        ctx.signal.throwIfAborted();
      },
    );
  } finally {
    // Each codec thread keeps the file open while it writes frames into it: let go of it now.
    await codecPool.broadcast({ op: 'closeOutput', file: partial });
  }
  if ((await payloadSha) !== manifest.payload.sha256) {
    throw new InvalidBackupError(file, 'the payload checksum does not match the manifest', 'The file is corrupted; export it again.');
  }
}

/** Format 1: one gzip stream, checked against the whole-database SHA-256. */
async function unpackGzip(file: string, payloadOffset: number, manifest: BackupFileManifest, partial: string, ctx: EngineContext): Promise<void> {
  const hash = crypto.createHash('sha256');
  let written = 0;
  await pipeline(
    fs.createReadStream(file, { start: payloadOffset, highWaterMark: 1 << 20 }),
    zlib.createGunzip(),
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        written += chunk.length;
        ctx.progress(manifest.content.bytes ? (100 * written) / manifest.content.bytes : 100, 'restoring backup');
        cb(null, chunk);
      },
    }),
    fs.createWriteStream(partial, { flags: 'wx' }),
  );
  if (hash.digest('hex') !== manifest.content.sha256) {
    throw new InvalidBackupError(file, 'the database checksum does not match the manifest', 'The file is corrupted; export it again.');
  }
}

export { sha256File };
