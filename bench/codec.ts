import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportBackupFile, importBackupFile } from '../engines/local/backup-file';
import { fsyncFile } from '../engines/local/consistent-copy';
import { median, quietContext, settleDisk } from './side-by-side';

/**
 * PACKAGE and the import's unpack beside Debian's `zstd` on the same bytes, in pairs whose
 * order alternates, each on a settled disk (as COPY beside cp): `exportBackupFile` (what
 * PACKAGE runs, checksums included; without its final fsync, since zstd has none: that is
 * timed on its own as `fsyncMs`) against `zstd -3 -T0`, and `importBackupFile` (what RESTORE
 * runs for an import, every checksum checked) against `zstd -d` of zstd's own output.
 */
export interface CodecFigures {
  databaseBytes: number;
  backupBytes: number;
  zstdBytes: number;
  packageMs: number;
  zstdMs: number;
  packageOverZstd: number;
  unpackMs: number;
  zstdDecompressMs: number;
  unpackOverZstd: number;
  pairs: { packageMs: number; zstdMs: number; unpackMs: number; zstdDecompressMs: number }[];
  /** The fsync PACKAGE adds after the writer, so a backup reported written survives a crash (median). */
  fsyncMs: number;
  zstd: string;
}

/**
 * The yardstick must be there: Debian's zstd, installed by the bench itself when missing
 * (`apt-get install zstd`, as root). Returns its version line, or why it is not there.
 */
export function ensureZstd(log: (line: string) => void): { ok: true; version: string } | { ok: false; why: string } {
  const probe = () => spawnSync('zstd', ['--version'], { encoding: 'utf8' });
  let found = probe();
  if (found.status !== 0) {
    log('zstd is not installed: installing Debian’s zstd (apt-get install zstd) for the PACKAGE yardstick');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'zstd'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    found = probe();
  }
  if (found.status !== 0) return { ok: false, why: 'zstd could not be installed (apt-get install zstd needs root and Debian’s package archive)' };
  return { ok: true, version: found.stdout.trim() };
}

export async function codecBesideZstd(database: string, dir: string, rounds: number, zstdVersion: string): Promise<CodecFigures> {
  const backup = path.join(dir, 'bench.dbmove');
  const zst = path.join(dir, 'bench.sqlite.zst');
  const unpacked = path.join(dir, 'bench-unpacked.sqlite');
  const manifest = {
    operationId: 'bench',
    createdAt: new Date().toISOString(),
    source: { environment: 'prod', type: 'production', engine: 'local' },
    versions: {},
    policy: { sources: [], elements: [] },
  };
  const clean = () => {
    for (const f of [backup, zst, unpacked, `${unpacked}.partial`, `${backup}.partial`]) fs.rmSync(f, { force: true });
    settleDisk();
  };
  const timed = async (fn: () => Promise<unknown> | void) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  const zstdRun = (args: string[]) => () => {
    const run = spawnSync('zstd', ['-q', '-f', ...args]);
    if (run.status !== 0) throw new Error(`zstd ${args.join(' ')} failed: ${run.stderr}`);
  };
  const pairs: CodecFigures['pairs'] = [];
  const fsyncs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    clean();
    // Alternating order: whichever runs second does not always inherit the first one's writeback.
    const order = i % 2 === 0 ? (['dbmove', 'zstd'] as const) : (['zstd', 'dbmove'] as const);
    const pair = { packageMs: 0, zstdMs: 0, unpackMs: 0, zstdDecompressMs: 0 };
    for (const who of order) {
      settleDisk();
      if (who === 'dbmove') pair.packageMs = await timed(() => exportBackupFile(database, backup, manifest, quietContext(), { durable: false }));
      else pair.zstdMs = await timed(zstdRun(['-3', '-T0', database, '-o', zst]));
    }
    for (const who of order) {
      settleDisk();
      if (who === 'dbmove') pair.unpackMs = await timed(() => importBackupFile(backup, unpacked, quietContext()));
      else pair.zstdDecompressMs = await timed(zstdRun(['-d', zst, '-o', `${unpacked}.zstd`]));
    }
    fsyncs.push(await timed(() => fsyncFile(backup)));
    fs.rmSync(unpacked, { force: true });
    fs.rmSync(`${unpacked}.zstd`, { force: true });
    pairs.push(pair);
  }
  const figures = {
    databaseBytes: fs.statSync(database).size,
    backupBytes: fs.statSync(backup).size,
    zstdBytes: fs.statSync(zst).size,
  };
  clean();
  return {
    ...figures,
    packageMs: median(pairs.map((p) => p.packageMs)),
    zstdMs: median(pairs.map((p) => p.zstdMs)),
    packageOverZstd: median(pairs.map((p) => p.packageMs / p.zstdMs)),
    unpackMs: median(pairs.map((p) => p.unpackMs)),
    zstdDecompressMs: median(pairs.map((p) => p.zstdDecompressMs)),
    unpackOverZstd: median(pairs.map((p) => p.unpackMs / p.zstdDecompressMs)),
    pairs,
    fsyncMs: median(fsyncs),
    zstd: zstdVersion,
  };
}
