import { DbmoveError } from '../../common/errors';
/**
 * Choosing, from msdb's backup history, the backups that restore a database to a point in
 * time: the latest full backup finished before it, then log backups, each containing the
 * point the previous one reached, until one reaches past the time (restored WITH STOPAT).
 * Pure functions over the history rows, so the choice is tested without a server.
 *
 * Times are the server's local time as msdb records them ('YYYY-MM-DDTHH:mm:ss.fff'); LSNs
 * are numeric(25,0), carried as text and compared as BigInt.
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
  files: string[];
}

/** One backup set per id, its stripes (several files) in order. */
export function groupBackupSets(rows: BackupRow[]): BackupSet[] {
  const sets = new Map<number, BackupSet>();
  for (const row of rows) {
    const existing = sets.get(Number(row.id));
    if (existing) {
      existing.files.push(row.file);
      continue;
    }
    sets.set(Number(row.id), {
      id: Number(row.id),
      type: String(row.type).trim() === 'L' ? 'L' : 'D',
      copyOnly: Boolean(Number(row.isCopyOnly)),
      name: row.name,
      firstLsn: BigInt(row.firstLsn),
      lastLsn: BigInt(row.lastLsn),
      finishedLocal: row.finishedLocal,
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

export function restoreChain(sets: BackupSet[], stopAtLocal: string, database: string): RestoreChain {
  const fulls = sets.filter((s) => s.type === 'D' && s.finishedLocal <= stopAtLocal);
  const base = fulls.sort((a, b) => (a.lastLsn < b.lastLsn ? -1 : 1))[fulls.length - 1];
  if (!base) throw new NoRestoreChain(`msdb records no full backup of ${database} finished before ${stopAtLocal} (server time)`);
  const logs: BackupSet[] = [];
  let reached = base.lastLsn;
  for (;;) {
    // Log backups that contain the point reached so far (copy-only ones too: they overlap the chain).
    const next = sets.filter((s) => s.type === 'L' && s.firstLsn <= reached && s.lastLsn > reached);
    if (!next.length) {
      throw new NoRestoreChain(
        `no log backup of ${database} continues the chain at LSN ${reached} up to ${stopAtLocal} (server time)${logs.length ? `; the last one used finished at ${logs[logs.length - 1].finishedLocal}` : ''}`,
      );
    }
    const covering = next.filter((s) => s.finishedLocal >= stopAtLocal).sort((a, b) => a.finishedLocal.localeCompare(b.finishedLocal))[0];
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
