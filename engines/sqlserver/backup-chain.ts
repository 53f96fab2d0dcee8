import { DbmoveError } from '../../common/errors';
/**
 * Choosing, from msdb's backup history, the backups that restore a database to a point in
 * time: the latest full backup finished before it, then log backups, each containing the
 * point the previous one reached, until one reaches past the time (restored WITH STOPAT).
 * Pure functions over the history rows, so the choice is tested without a server.
 *
 * msdb records each backup's times in the server's local time ('YYYY-MM-DDTHH:mm:ss.fff')
 * with the offset from UTC the server had when it took that backup (time_zone, in 15-minute
 * steps), so every set converts to UTC with its own offset and the choice is made in UTC,
 * unaffected by daylight-saving changes. LSNs are numeric(25,0), carried as text and
 * compared as BigInt.
 */
export interface BackupRow {
  id: number;
  type: string;
  isCopyOnly: boolean | number;
  name: string | null;
  description: string | null;
  firstLsn: string;
  lastLsn: string;
  startedLocal: string;
  finishedLocal: string;
  /** msdb's time_zone: offset from UTC in 15-minute steps, 127 when unknown. */
  timeZone: number | null;
  hasChecksums: boolean | number | null;
  bytes: number | string | null;
  file: string;
}

export interface BackupSet {
  id: number;
  type: 'D' | 'L';
  copyOnly: boolean;
  name: string | null;
  firstLsn: bigint;
  lastLsn: bigint;
  finishedLocal: string;
  /** The finish time as an instant (ms since the epoch). */
  finishedUtc: number;
  /** The server's offset from UTC, in minutes, when it took this backup (undefined when msdb does not know it). */
  offsetMinutes: number | undefined;
  /** Whether the backup carries backup checksums, so that RESTORE ... WITH CHECKSUM can verify it. */
  checksums: boolean;
  files: string[];
}

/** msdb's time_zone (15-minute steps; 127 unknown) as minutes east of UTC. */
export function offsetFromTimeZone(timeZone: number | null | undefined): number | undefined {
  if (timeZone === null || timeZone === undefined || Number(timeZone) === 127) return undefined;
  return Number(timeZone) * 15;
}

/** A local wall-clock time at `offsetMinutes` east of UTC, as an instant. */
export function localToUtc(local: string, offsetMinutes: number): number {
  return Date.parse(`${local}Z`) - offsetMinutes * 60_000;
}

/** An instant as the wall-clock text of a server `offsetMinutes` east of UTC ('YYYY-MM-DDTHH:mm:ss.fff'). */
export function utcToLocal(utc: number, offsetMinutes: number): string {
  return new Date(utc + offsetMinutes * 60_000).toISOString().slice(0, 23);
}

/**
 * One backup set per id, its stripes (several files) in order. `currentOffsetMinutes` (the
 * server's offset now) stands in only where msdb does not know a backup's own offset.
 */
export function groupBackupSets(rows: BackupRow[], currentOffsetMinutes: number): BackupSet[] {
  const sets = new Map<number, BackupSet>();
  for (const row of rows) {
    const existing = sets.get(Number(row.id));
    if (existing) {
      existing.files.push(row.file);
      continue;
    }
    const offsetMinutes = offsetFromTimeZone(row.timeZone);
    sets.set(Number(row.id), {
      id: Number(row.id),
      type: String(row.type).trim() === 'L' ? 'L' : 'D',
      copyOnly: Boolean(Number(row.isCopyOnly)),
      name: row.name,
      firstLsn: BigInt(row.firstLsn),
      lastLsn: BigInt(row.lastLsn),
      finishedLocal: row.finishedLocal,
      finishedUtc: localToUtc(row.finishedLocal, offsetMinutes ?? currentOffsetMinutes),
      offsetMinutes,
      checksums: Boolean(Number(row.hasChecksums ?? 0)),
      files: [row.file],
    });
  }
  return [...sets.values()].sort((a, b) => (a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : a.id - b.id));
}

export class NoRestoreChain extends DbmoveError {
  constructor(message: string) {
    super('NoRestoreChain', message);
  }
}

export interface RestoreChain {
  base: BackupSet;
  logs: BackupSet[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The full backup and the log backups that restore `database` to the instant `stopAtUtc`. */
export function restoreChain(sets: BackupSet[], stopAtUtc: number, database: string): RestoreChain {
  const fulls = sets.filter((s) => s.type === 'D' && s.finishedUtc <= stopAtUtc);
  const base = fulls.sort((a, b) => (a.lastLsn < b.lastLsn ? -1 : 1))[fulls.length - 1];
  if (!base) throw new NoRestoreChain(`msdb records no full backup of ${database} finished before ${iso(stopAtUtc)}`);
  const logs: BackupSet[] = [];
  let reached = base.lastLsn;
  for (;;) {
    // Log backups that contain the point reached so far (copy-only ones too: they overlap the chain).
    const next = sets.filter((s) => s.type === 'L' && s.firstLsn <= reached && s.lastLsn > reached);
    if (!next.length) {
      throw new NoRestoreChain(
        `no log backup of ${database} continues the chain at LSN ${reached} up to ${iso(stopAtUtc)}${logs.length ? `; the last one used finished at ${iso(logs[logs.length - 1].finishedUtc)}` : ''}`,
      );
    }
    const covering = next.filter((s) => s.finishedUtc >= stopAtUtc).sort((a, b) => a.finishedUtc - b.finishedUtc)[0];
    if (covering) {
      logs.push(covering);
      return { base, logs };
    }
    // Continue with the regular backup that reaches furthest.
    const step = next.sort((a, b) => Number(a.copyOnly) - Number(b.copyOnly) || (a.lastLsn > b.lastLsn ? -1 : 1))[0];
    logs.push(step);
    reached = step.lastLsn;
  }
}

/** Longest gap between two backups across which an unchanged offset still proves that no daylight-saving change fell between them. */
const SAME_OFFSET_PROVES_AT_MOST_MS = 30 * 86_400_000;

/**
 * The server's wall-clock time at `stopAtUtc`, known from msdb alone (no time zone name): the
 * log backup that covers the time and the backup before it both record the server's offset;
 * when they agree (and are less than a month apart), no daylight-saving change fell between
 * them and that offset held at `stopAtUtc`. Otherwise the offset at that instant cannot be
 * told from msdb, and `unknown` says why.
 */
export function wallClockFromBackups(chain: RestoreChain, stopAtUtc: number): { local: string } | { unknown: string } {
  const covering = chain.logs[chain.logs.length - 1];
  const before = chain.logs.length > 1 ? chain.logs[chain.logs.length - 2] : chain.base;
  const around = `the backups around ${iso(stopAtUtc)} (finished ${before.finishedLocal} and ${covering.finishedLocal}, server time)`;
  if (covering.offsetMinutes === undefined || before.offsetMinutes === undefined)
    return { unknown: `msdb does not record the server's UTC offset for ${around}` };
  if (covering.offsetMinutes !== before.offsetMinutes)
    return {
      unknown: `the server's UTC offset changed between ${around}, from ${before.offsetMinutes} to ${covering.offsetMinutes} minutes (a daylight-saving change)`,
    };
  if (covering.finishedUtc - before.finishedUtc > SAME_OFFSET_PROVES_AT_MOST_MS)
    return { unknown: `${around} are more than 30 days apart, so an unchanged UTC offset does not prove that no daylight-saving change fell between them` };
  return { local: utcToLocal(stopAtUtc, covering.offsetMinutes) };
}
