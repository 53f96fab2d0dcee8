import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqliteSession, type SessionGuard } from './sqlite-session';
import { fsyncDirectory, fsyncFile, removeIfExists } from './consistent-copy';

/**
 * Rewrites a SQLite database file from its live rows only, so that nothing deleted or
 * overwritten in it can be read back from its bytes.
 *
 * Where old values hide in a SQLite file after DELETE and UPDATE: freelist pages (a cleared
 * table's pages, whole), the unused space inside b-tree pages (a row moved or shrunk leaves its
 * old bytes behind), overflow pages of long values and BLOBs, and index pages. A copy of a
 * production file also carries what production itself freed long ago. `PRAGMA secure_delete`
 * zeroes only what is freed while it is on, so it cannot clean what the source had already
 * freed; `VACUUM INTO` builds a new file from the live rows, page by page from empty, and
 * measured about 3 ms per MB on the bench machine (see docs/performance.md), against 0.3 ms for a
 * plain copy. The rollback journal SQLite keeps while a transaction runs is deleted at commit,
 * and VACUUM INTO writes the new file without one.
 *
 * The new file is written beside the old one, made durable, and renamed over it: a crash
 * leaves either the old file or the complete new one.
 */
export interface RewriteResult {
  bytesBefore: number;
  bytesAfter: number;
  /** The rewrite and its fsync: the whole cost of leaving no residue. */
  durationMs: number;
  /** Of which the fsync: the disk's part, not the rewrite's. */
  fsyncMs: number;
}

export function sealingFile(file: string): string {
  return `${file}.sealing`;
}

export async function rewriteWithoutFreeSpace(file: string, guard?: SessionGuard): Promise<RewriteResult> {
  const started = performance.now();
  const bytesBefore = (await fs.promises.stat(file)).size;
  const next = sealingFile(file);
  await removeIfExists(next);
  // Read-write, so that a hot journal left by a crash is rolled back before the rewrite reads;
  // on a database thread, so that the worker's event loop keeps heartbeating meanwhile.
  const session = await SqliteSession.open(file, 'read-write', `${path.basename(file)} (sealing)`, guard);
  try {
    await session.execute('VACUUM INTO ?', [next]);
  } catch (err) {
    await removeIfExists(next);
    throw err;
  } finally {
    await session.close();
  }
  const syncStarted = performance.now();
  await fsyncFile(next);
  const fsyncMs = performance.now() - syncStarted;
  await fs.promises.rename(next, file);
  await fsyncDirectory(path.dirname(file));
  return { bytesBefore, bytesAfter: (await fs.promises.stat(file)).size, durationMs: performance.now() - started, fsyncMs };
}
