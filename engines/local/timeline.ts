import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, removeIfExists, writeJsonAtomic } from './consistent-copy';

/**
 * What the local engine knows about an environment's database over time, so that a
 * point-in-time restore returns exactly the state at the time asked, or says it cannot.
 *
 * A SQLite file written by the environment's own users keeps no history the engine could
 * replay: capturing every commit would need a process archiving the write-ahead log before
 * each checkpoint (and no writer in rollback-journal mode could be captured at all). What the
 * engine does know are observations: the checksum of the whole file at moments it looked
 * (every restore point it takes; every database it swaps in, rolls back to, or finds unchanged).
 *
 * Two consecutive observations with the same checksum prove that nothing was committed in
 * between: every commit in rollback-journal mode increments the file change counter in the
 * header (https://sqlite.org/fileformat2.html#file_change_counter), and a file switched to WAL
 * mode has different header bytes (and the switch itself is a counted commit). So a restore
 * point restores exactly any time in the run of consecutive observations that share its
 * checksum, and no other time. A swap whose result the engine did not checksum is recorded
 * without one, which ends every run it falls into.
 */
export interface Observation {
  /** ISO time from which the database held this content (a swap) or at which it was seen. */
  at: string;
  /** sha256 of the whole database file; absent when the engine could not tell (yet). */
  sha256?: string;
  /**
   * A swap of a sealed staging database: the installed file's identity, instead of reading the
   * whole file at SWAP to checksum it. The next restore point fills in `sha256` if the file it
   * copied still has this identity (see `sameFile`).
   */
  file?: FileIdentity;
  operationId: string;
  event: 'restore-point' | 'swap' | 'rollback' | 'unchanged';
}

/** Inode, size, modification time and SQLite header (100 bytes, file change counter included). */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeNs: string;
  header: string;
}

export async function fileIdentity(file: string): Promise<FileIdentity> {
  const stat = await fs.promises.stat(file, { bigint: true });
  const handle = await fs.promises.open(file, 'r');
  try {
    const header = Buffer.alloc(100);
    await handle.read(header, 0, 100, 0);
    return { ino: Number(stat.ino), size: Number(stat.size), mtimeNs: String(stat.mtimeNs), header: header.toString('hex') };
  } finally {
    await handle.close();
  }
}

/**
 * Whether two identities are of the same, unchanged file. A SQLite commit in rollback-journal
 * mode writes the database file (its modification time and change counter move); a switch to
 * WAL mode writes its header first. A sealed staging database is in rollback-journal mode, so
 * the same inode, size, modification time and header mean that nobody committed to it.
 */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.header === b.header;
}

export interface ExactRange {
  exactFrom: string;
  exactUntil: string;
}

const DIR = 'timeline';

export function timelineDir(workDir: string): string {
  return path.join(workDir, DIR);
}

/** The file an observation is kept in: written by observe, removed by pruneObservations. */
function observationFile(workDir: string, o: Pick<Observation, 'at' | 'operationId' | 'event'>): string {
  return path.join(timelineDir(workDir), `${o.at.replace(/[:.]/g, '-')}--${o.operationId}--${o.event}.json`);
}

/** Records an observation (atomically, one small file each: concurrent writers never interleave). */
export async function observe(workDir: string, observation: Observation): Promise<void> {
  await writeJsonAtomic(observationFile(workDir, observation), observation);
}

export async function observations(workDir: string): Promise<Observation[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(timelineDir(workDir));
  } catch {
    return [];
  }
  const found: Observation[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const o = await readJson<Observation>(path.join(timelineDir(workDir), name));
    if (o?.at && !Number.isNaN(Date.parse(o.at))) found.push(o);
  }
  return found;
}

/**
 * A restore point was just taken of a file with `identity` and checksum `sha256`: if the last
 * thing the engine did to the database was to swap in exactly that file, untouched since, the
 * swap installed this content, and its observation says so from now on.
 */
export async function confirmSwap(workDir: string, identity: FileIdentity, sha256: string): Promise<void> {
  const seen = (await observations(workDir)).filter((o) => o.event !== 'restore-point').sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = seen[seen.length - 1];
  if (last?.event !== 'swap' || !last.file || last.sha256 || !sameFile(last.file, identity)) return;
  await observe(workDir, { ...last, sha256 });
}

/** Removes observations older than `cutoff` (they can only bound restore points no longer kept). */
export async function pruneObservations(workDir: string, cutoffMs: number): Promise<void> {
  for (const o of await observations(workDir)) {
    if (Date.parse(o.at) < cutoffMs) await removeIfExists(observationFile(workDir, o));
  }
}

/**
 * For each point (time and checksum), the range of times whose state it restores exactly: the
 * run of consecutive observations around it that share its checksum. Points are observations
 * too. Observations at the same millisecond are ordered so that a change (a swap) comes last:
 * a run never crosses it.
 */
export function exactRanges(points: readonly { at: string; sha256?: string }[], seen: readonly Observation[]): ExactRange[] {
  const events = [
    ...points.map((p) => ({ at: p.at, sha256: p.sha256, change: false })),
    ...seen.map((o) => ({ at: o.at, sha256: o.sha256, change: o.event === 'swap' || o.event === 'rollback' })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || Number(a.change) - Number(b.change));
  return points.map((point) => {
    let first = events.findIndex((e) => e.at === point.at && e.sha256 === point.sha256 && !e.change);
    let last = first;
    if (first < 0 || !point.sha256) return { exactFrom: point.at, exactUntil: point.at };
    while (first > 0 && events[first - 1].sha256 === point.sha256 && !events[first].change) first--;
    while (last < events.length - 1 && events[last + 1].sha256 === point.sha256 && !events[last + 1].change) last++;
    return { exactFrom: events[first].at, exactUntil: events[last].at };
  });
}
