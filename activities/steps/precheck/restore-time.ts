import type { RestoreWindow } from '../../../engines/port';
import type { CheckResult } from '../../../workflows/types';

/**
 * Whether `to` is a time an environment can be restored to. PRECHECK decides with it, and the
 * command line asks it first so that a time outside the window is refused before anything starts.
 */
export function checkRestoreTime(environment: string, to: string, window: RestoreWindow, now = new Date()): CheckResult {
  const at = Date.parse(to);
  if (Number.isNaN(at)) {
    return { name: 'restore-time', ok: false, message: `"${to}" is not a time`, fix: 'give an ISO time such as 2026-11-22T08:00:00Z' };
  }
  const iso = new Date(at).toISOString();
  if (at > now.getTime()) return { name: 'restore-time', ok: false, message: `${iso} is in the future`, fix: 'give a time in the past' };
  // A continuous window ends where the engine says it does (the last log backup): a time after
  // it has no backup that reaches it yet. Only a window that names no end runs up to now.
  const latest = window.latest ?? (window.continuous ? now.toISOString() : undefined);
  if (!window.earliest || !latest) {
    return {
      name: 'restore-time',
      ok: false,
      message: `Nothing is kept for ${environment} yet: restore points are taken at the start of every operation on it`,
      fix: 'run an operation on it first',
    };
  }
  if (at < Date.parse(window.earliest) || at > Date.parse(latest)) {
    return {
      name: 'restore-time',
      ok: false,
      message: `${iso} is outside what is kept for ${environment}: the earliest is ${window.earliest}, the latest ${latest}`,
      fix: `give a time between ${window.earliest} and ${latest} (dbmove restore-points ${environment} lists them)`,
    };
  }
  return { name: 'restore-time', ok: true, message: `${iso} is within ${window.earliest} and ${latest}` };
}
