import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatabaseIdentity } from '../port';

/**
 * The local engine's identity metadata: SQLite has no place for it outside the tables, so
 * each database file gets a small record beside it, keyed by the file itself (device and
 * inode), not by its name. A rename keeps the inode, so the record follows the file through
 * SWAP's atomic rename with no second step that a crash could separate from it; a copy of the
 * file is a new inode and carries no identity, as an Azure copy carries no tags. Records live
 * in `.dbmove/.identity/` beside the live database (environment names never start with a dot).
 *
 *   { identity, dev, ino, birthtimeMs, paths }
 *
 * `paths` are where the file may be (staging, then live): a file found anywhere else is not
 * the one the record describes, and a record whose file is at none of them is gone and is
 * pruned when the next record is written; so a recycled inode never inherits an identity.
 * Where the filesystem reports a birth time, it must match too.
 * Small files, read and written synchronously (the demo estate stamps its databases too).
 */
interface IdentityRecord {
  identity: DatabaseIdentity;
  dev: string;
  ino: string;
  birthtimeMs: number;
  paths: string[];
}

function fileKey(file: string): { dev: string; ino: string; birthtimeMs: number } | undefined {
  try {
    const stat = fs.statSync(file, { bigint: true });
    return { dev: String(stat.dev), ino: String(stat.ino), birthtimeMs: Number(stat.birthtimeMs) };
  } catch {
    return undefined;
  }
}

/** `liveFile` decides the folder: the identity of staging must be found from the live path after the swap. */
function recordDir(liveFile: string): string {
  return path.join(path.dirname(liveFile), '.dbmove', '.identity');
}

function recordFile(liveFile: string, key: { dev: string; ino: string }): string {
  return path.join(recordDir(liveFile), `${key.dev}-${key.ino}.json`);
}

function readRecord(file: string): IdentityRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as IdentityRecord;
  } catch {
    return undefined;
  }
}

export function readIdentityRecord(file: string): DatabaseIdentity | undefined {
  const key = fileKey(file);
  if (!key) return undefined;
  const record = readRecord(recordFile(file, key));
  if (!record || record.dev !== key.dev || record.ino !== key.ino) return undefined;
  // A recycled inode at another path, or one the filesystem says was born later, is another file.
  if (!(record.paths ?? []).includes(path.resolve(file))) return undefined;
  if (record.birthtimeMs && key.birthtimeMs && Math.abs(record.birthtimeMs - key.birthtimeMs) > 1) return undefined;
  return record.identity;
}

/** Stamps `file`, which is, or will become by rename, the database at `liveFile`. */
export function writeIdentityRecord(file: string, liveFile: string, identity: DatabaseIdentity): void {
  const key = fileKey(file);
  if (!key) throw new Error(`Cannot stamp ${file}: it does not exist`);
  prune(liveFile);
  const record: IdentityRecord = { identity, ...key, paths: [...new Set([path.resolve(file), path.resolve(liveFile)])] };
  const target = recordFile(liveFile, key);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(record, null, 2));
  fs.renameSync(temp, target);
}

function prune(liveFile: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(recordDir(liveFile));
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(recordDir(liveFile), name);
    const record = readRecord(file);
    if (!record) continue;
    const present = (record.paths ?? []).some((candidate) => {
      const key = fileKey(candidate);
      return key !== undefined && key.dev === record.dev && key.ino === record.ino;
    });
    if (!present) fs.rmSync(file, { force: true });
  }
}
