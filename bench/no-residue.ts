import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyScrubPolicy } from '../activities/policy/apply-policy';
import { loadScrubPolicy, REFRESH_POLICY, shippedPolicyFile } from '../activities/policy/scrub-policy';
import { consistentCopy } from '../engines/local/consistent-copy';
import { rewriteWithoutFreeSpace } from '../engines/local/seal';
import { openSqlite, SqliteSession } from '../engines/local/sqlite-session';
import { median, settleDisk } from './side-by-side';

/**
 * What "no residue" costs, and what the alternatives would have cost, at one estate size. The
 * local engine rewrites staging from its live rows (VACUUM INTO) after every write to it, in
 * VERIFY. Measured here on a scrubbed copy of the source, as VERIFY finds it:
 * - the rewrite (VACUUM INTO and fsync, as VERIFY runs it), in pairs with a plain `cp` of the
 *   same file (alternating order, settled disk), as COPY is measured;
 * - what `PRAGMA secure_delete` would add to SCRUB instead (it zeroes only what SCRUB frees,
 *   not what the source had freed before the copy, so it is not enough on its own);
 * - an in-place VACUUM (the same rewrite through a temporary file and a journal of the whole
 *   database).
 */
export interface NoResidueFigures {
  /** The scrubbed copy before and after the rewrite. */
  stagingBytes: number;
  sealedBytes: number;
  /** Median of the rewrite runs, each beside a cp of the same scrubbed file. */
  rewriteMs: number;
  rewritePairs: { cpMs: number; rewriteMs: number; fsyncMs: number }[];
  /** Median of the pairs' ratios. */
  rewriteOverCp: number;
  /** The rewrite as VERIFY timed it inside the refresh (one run). */
  inRefreshMs: number;
  /** SCRUB with secure_delete on, minus SCRUB without it (medians of the runs). */
  secureDeleteScrubExtraMs: number;
  /** VACUUM in place on the same scrubbed file (one run). */
  vacuumInPlaceMs: number;
}

async function scrubbedCopy(source: string, to: string, secureDelete = false): Promise<number> {
  for (const f of [to, `${to}-journal`]) fs.rmSync(f, { force: true });
  await consistentCopy(source, to, () => {}, { durable: false });
  const session = await SqliteSession.open(to, 'read-write', 'bench staging');
  try {
    if (secureDelete) await session.pragma('secure_delete = ON');
    const started = performance.now();
    await applyScrubPolicy(session, loadScrubPolicy([shippedPolicyFile(REFRESH_POLICY)]));
    return performance.now() - started;
  } finally {
    await session.close();
  }
}

export async function measureNoResidue(source: string, dir: string, inRefreshMs: number, rounds = 3): Promise<NoResidueFigures> {
  const work = path.join(dir, 'no-residue');
  fs.mkdirSync(work, { recursive: true });
  const scrubbed = path.join(work, 'scrubbed.sqlite');
  const target = path.join(work, 'sealed.sqlite');

  const scrubMs: number[] = [];
  const secureMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    settleDisk();
    secureMs.push(await scrubbedCopy(source, scrubbed, true));
    settleDisk();
    scrubMs.push(await scrubbedCopy(source, scrubbed, false));
  }
  const stagingBytes = fs.statSync(scrubbed).size;

  const pairs: { cpMs: number; rewriteMs: number; fsyncMs: number }[] = [];
  let sealedBytes = 0;
  for (let i = 0; i < rounds; i++) {
    const timeCp = () => {
      fs.rmSync(target, { force: true });
      settleDisk();
      const started = performance.now();
      if (spawnSync('cp', [scrubbed, target]).status !== 0) throw new Error(`cp ${scrubbed} failed`);
      return performance.now() - started;
    };
    const timeRewrite = async () => {
      fs.rmSync(target, { force: true });
      fs.copyFileSync(scrubbed, target);
      settleDisk();
      const result = await rewriteWithoutFreeSpace(target);
      sealedBytes = result.bytesAfter;
      return result;
    };
    if (i % 2 === 0) {
      const cpMs = timeCp();
      const rewrite = await timeRewrite();
      pairs.push({ cpMs, rewriteMs: rewrite.durationMs, fsyncMs: rewrite.fsyncMs });
    } else {
      const rewrite = await timeRewrite();
      pairs.push({ cpMs: timeCp(), rewriteMs: rewrite.durationMs, fsyncMs: rewrite.fsyncMs });
    }
  }

  fs.rmSync(target, { force: true });
  fs.copyFileSync(scrubbed, target);
  settleDisk();
  const db = openSqlite(target, 'read-write');
  const vacuumStarted = performance.now();
  try {
    db.exec('VACUUM');
  } finally {
    db.close();
  }
  const vacuumInPlaceMs = performance.now() - vacuumStarted;
  fs.rmSync(work, { recursive: true, force: true });
  settleDisk();
  return {
    stagingBytes,
    sealedBytes,
    rewriteMs: median(pairs.map((p) => p.rewriteMs)),
    rewritePairs: pairs,
    rewriteOverCp: median(pairs.map((p) => p.rewriteMs / p.cpMs)),
    inRefreshMs,
    secureDeleteScrubExtraMs: median(secureMs) - median(scrubMs),
    vacuumInPlaceMs,
  };
}
