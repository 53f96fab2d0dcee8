import { DbmoveError } from '../../common/errors';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import type { BackupManifest, EngineContext, ExportResult } from '../port';
import { fsyncFile, removeIfExists, sha256File } from './consistent-copy';
import { unreadableFileReason } from '../../config/files';

/**
 * The local engine's portable backup: one file, readable with nothing but Node.
 *
 *   DBMOVE-BACKUP 1\n
 *   {manifest JSON on one line}\n
 *   <gzip of the SQLite database file>
 *
 * The manifest carries the source environment, its versions, the time, the policy applied,
 * and two checksums: of the compressed payload (checked before anything is decompressed)
 * and of the database bytes (checked after). A corrupted, truncated or foreign file is
 * refused before any target is touched.
 */
export const BACKUP_MAGIC = 'DBMOVE-BACKUP 1';

/** The manifest line of a backup file: the port's manifest (checked field by field on import) plus the file's own facts. */
export interface BackupFileManifest extends Partial<Omit<BackupManifest, 'content'>> {
  format: 'dbmove-backup';
  formatVersion: 1;
  payload: { encoding: 'gzip'; bytes: number; sha256: string };
  content: { bytes: number; sha256: string };
}

export class InvalidBackupError extends DbmoveError {
  constructor(file: string, problem: string, fix: string) {
    super('InvalidBackup', `${file} is not a usable dbmove backup: ${problem}. ${fix}`);
  }
}

function hashing(hash: crypto.Hash, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      cb(null, chunk);
    },
  });
}

export async function exportBackupFile(
  databaseFile: string,
  destination: string,
  manifest: Omit<BackupManifest, 'content'>,
  ctx: EngineContext,
): Promise<ExportResult> {
  const started = performance.now();
  await fs.promises.mkdir(path.dirname(path.resolve(destination)), { recursive: true });
  const payloadFile = `${destination}.payload-${process.pid}`;
  const contentHash = crypto.createHash('sha256');
  const payloadHash = crypto.createHash('sha256');
  const content = { bytes: 0 };
  const payload = { bytes: 0 };
  const total = (await fs.promises.stat(databaseFile)).size;
  const progress = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      ctx.progress(total ? (95 * (content.bytes + chunk.length)) / total : 95, 'compressing');
      cb(null, chunk);
    },
  });
  try {
    await pipeline(
      fs.createReadStream(databaseFile, { highWaterMark: 1 << 20 }),
      hashing(contentHash, content),
      progress,
      zlib.createGzip({ level: 6 }),
      hashing(payloadHash, payload),
      fs.createWriteStream(payloadFile),
    );
    const full: BackupFileManifest = {
      ...manifest,
      format: 'dbmove-backup',
      formatVersion: 1,
      payload: { encoding: 'gzip', bytes: payload.bytes, sha256: payloadHash.digest('hex') },
      content: { bytes: content.bytes, sha256: contentHash.digest('hex') },
    };
    const partial = `${destination}.partial`;
    await fs.promises.writeFile(partial, `${BACKUP_MAGIC}\n${JSON.stringify(full)}\n`);
    await pipeline(fs.createReadStream(payloadFile), fs.createWriteStream(partial, { flags: 'a' }));
    await fsyncFile(partial);
    await fs.promises.rename(partial, destination);
    ctx.progress(100, 'written');
    return {
      destination: path.resolve(destination),
      bytes: (await fs.promises.stat(destination)).size,
      checksum: full.content.sha256,
      durationMs: performance.now() - started,
      notes: [`Wrote ${destination}: ${content.bytes} database bytes compressed to ${payload.bytes}`],
    };
  } finally {
    await removeIfExists(payloadFile);
  }
}

/** Reads and checks the header, manifest and payload checksum. Touches nothing. */
export async function readBackupManifest(file: string): Promise<{ manifest: BackupFileManifest; payloadOffset: number }> {
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
    const head = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('latin1');
    const firstNewline = text.indexOf('\n');
    if (firstNewline < 0 || text.slice(0, firstNewline) !== BACKUP_MAGIC) {
      throw new InvalidBackupError(file, 'it does not start with the dbmove backup header', 'Give a file written by `dbmove export`.');
    }
    const secondNewline = text.indexOf('\n', firstNewline + 1);
    if (secondNewline < 0) throw new InvalidBackupError(file, 'the manifest is cut off', 'The file is truncated; export it again.');
    try {
      manifest = JSON.parse(head.subarray(firstNewline + 1, secondNewline).toString('utf8')) as BackupFileManifest;
    } catch {
      throw new InvalidBackupError(file, 'the manifest is not valid JSON', 'The file is corrupted; export it again.');
    }
    if (manifest.format !== 'dbmove-backup' || manifest.formatVersion !== 1 || !manifest.payload?.sha256 || !manifest.content?.sha256) {
      throw new InvalidBackupError(file, 'the manifest is not a dbmove backup manifest (version 1)', 'Give a file written by `dbmove export`.');
    }
    payloadOffset = Buffer.byteLength(text.slice(0, secondNewline + 1), 'latin1');
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
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { start: payloadOffset, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== manifest.payload.sha256) {
    throw new InvalidBackupError(file, 'the payload checksum does not match the manifest', 'The file is corrupted; export it again.');
  }
  return { manifest, payloadOffset };
}

/** Decompresses a checked backup into `destination` and verifies the content checksum. */
export async function importBackupFile(file: string, destination: string, ctx: EngineContext): Promise<number> {
  const { manifest, payloadOffset } = await readBackupManifest(file);
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  const written = { bytes: 0 };
  const hash = crypto.createHash('sha256');
  try {
    await pipeline(
      fs.createReadStream(file, { start: payloadOffset, highWaterMark: 1 << 20 }),
      zlib.createGunzip(),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          ctx.progress(manifest.content.bytes ? (100 * (written.bytes + chunk.length)) / manifest.content.bytes : 100, 'restoring backup');
          cb(null, chunk);
        },
      }),
      hashing(hash, written),
      fs.createWriteStream(partial),
    );
  } catch (err) {
    await removeIfExists(partial);
    throw new InvalidBackupError(file, `the payload does not decompress (${(err as Error).message})`, 'The file is corrupted; export it again.');
  }
  if (hash.digest('hex') !== manifest.content.sha256) {
    await removeIfExists(partial);
    throw new InvalidBackupError(file, 'the database checksum does not match the manifest', 'The file is corrupted; export it again.');
  }
  await fsyncFile(partial);
  await fs.promises.rename(partial, destination);
  return written.bytes;
}

export { sha256File };
