import { spawnSync } from 'node:child_process';
import type { EngineContext } from '../engines/port';

/** What the side-by-side comparisons share: the median they judge, a settled disk, a silent engine context. */

/** The median of `values` (the upper middle one for an even count). */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Flushes every dirty page, so one run does not pay for the previous run's writeback. */
export function settleDisk(): void {
  spawnSync('sync');
}

/** An engine context that reports nothing and is never cancelled. */
export const quietContext = (): EngineContext => ({
  progress: () => undefined,
  saveResumeState: () => undefined,
  resumeState: undefined,
  signal: new AbortController().signal,
  log: () => undefined,
});
