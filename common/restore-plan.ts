import type { RestorePointInfo, RestoreWindow } from '../engines/port';

/**
 * One rule for what a point-in-time restore gives back, used by the command line before it
 * starts anything, by PRECHECK, and by the engine when it prepares staging: a restore returns
 * exactly the state at the time asked, or it does not run, unless the person asked for the
 * nearest restorable state (`--nearest`) or named a restore point (`--to <point id>`). No
 * imports but types: workflow, activity, engine and client code all use it.
 */
export interface RestoreRequest {
  /** ISO time asked for (for a named point, its own time). */
  to: string;
  /** Accept the latest state at or before `to` that can be restored exactly. */
  nearest?: boolean;
  /** A restore point named by its id (`dbmove restore-points`). */
  point?: string;
}

export interface RestorePlan {
  /** The time whose state the restore returns. */
  stateAt: string;
  /** Whether that is the time asked for. */
  exact: boolean;
  /** The kept restore point it comes from (engines with discrete restore points). */
  point?: RestorePointInfo;
}

export type RestoreDecision = { ok: true; plan: RestorePlan; message: string } | { ok: false; message: string; fix: string };

const exactFrom = (p: RestorePointInfo) => p.exactFrom ?? p.at;
const exactUntil = (p: RestorePointInfo) => p.exactUntil ?? p.at;

/** "2026-11-24T10:00:00.000Z" or "2026-11-24T10:00:00.000Z to 2026-11-24T14:00:00.000Z". */
export function exactSpan(p: RestorePointInfo): string {
  return exactFrom(p) === exactUntil(p) ? p.at : `${exactFrom(p)} to ${exactUntil(p)}`;
}

/** Whether restoring `to` in `window` gives exactly that state, and from where. */
export function planRestore(environment: string, request: RestoreRequest, window: RestoreWindow, now = new Date()): RestoreDecision {
  const at = Date.parse(request.to);
  if (Number.isNaN(at)) return { ok: false, message: `"${request.to}" is not a time`, fix: 'give an ISO time such as 2026-11-22T08:00:00Z' };
  const iso = new Date(at).toISOString();
  if (at > now.getTime()) return { ok: false, message: `${iso} is in the future`, fix: 'give a time in the past' };
  if (window.continuous) {
    // A continuous window ends where the engine says it does (the last log backup): a time after
    // it has no backup that reaches it yet. Only a window that names no end runs up to now.
    const latest = window.latest ?? now.toISOString();
    if (!window.earliest) {
      return { ok: false, message: `Nothing is kept for ${environment} yet`, fix: 'wait for its first backup, then try again' };
    }
    if (at < Date.parse(window.earliest) || at > Date.parse(latest)) {
      return {
        ok: false,
        message: `${iso} is outside what is kept for ${environment}: the earliest is ${window.earliest}, the latest ${latest}`,
        fix: `give a time between ${window.earliest} and ${latest}`,
      };
    }
    return { ok: true, plan: { stateAt: iso, exact: true }, message: `${environment} can be restored to exactly ${iso}` };
  }

  const points = [...window.points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (!points.length) {
    return {
      ok: false,
      message: `Nothing is kept for ${environment} yet: restore points are taken at the start of every operation on it`,
      fix: 'run an operation on it first',
    };
  }
  if (request.point) {
    const point = points.find((p) => p.id === request.point);
    if (!point) {
      return {
        ok: false,
        message: `${environment} keeps no restore point ${request.point}`,
        fix: `name one that \`dbmove restore-points ${environment}\` lists`,
      };
    }
    return { ok: true, plan: { stateAt: point.at, exact: true, point }, message: `restore point ${point.id}: ${environment} as it was at ${point.at}` };
  }
  const exact = [...points].reverse().find((p) => Date.parse(exactFrom(p)) <= at && at <= Date.parse(exactUntil(p)));
  if (exact) {
    return {
      ok: true,
      plan: { stateAt: iso, exact: true, point: exact },
      message: `${environment} held at ${iso} exactly what restore point ${exact.id} holds`,
    };
  }
  const earlier = [...points].reverse().find((p) => Date.parse(p.at) <= at);
  if (request.nearest && earlier) {
    const stateAt = exactUntil(earlier);
    return {
      ok: true,
      plan: { stateAt, exact: false, point: earlier },
      message: `${environment}'s state at ${stateAt} (restore point ${earlier.id}), the latest that can be restored exactly before ${iso}`,
    };
  }
  const list = points.map((p) => `${exactSpan(p)} (${p.id})`).join('; ');
  if (!earlier) {
    return {
      ok: false,
      message: `${iso} is before the earliest state kept for ${environment} (${points[0].at})`,
      fix: `choose a time ${environment} can be restored to exactly: ${list}`,
    };
  }
  return {
    ok: false,
    message: `${environment} cannot be restored to exactly ${iso}: nothing proves what it held then (the latest state before it that can be restored exactly is ${exactUntil(earlier)}, and ${environment} may have changed after it). It can be restored exactly to: ${list}`,
    fix: `give one of those times, name a restore point (--to ${earlier.id}), or accept the nearest earlier state with --nearest`,
  };
}
