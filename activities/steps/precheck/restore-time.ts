import type { RestoreWindow } from '../../../engines/port';
import type { CheckResult } from '../../../workflows/types';
import { planRestore, type RestoreRequest } from '../../../common/restore-plan';

/**
 * Whether a restore can give what it is asked for (exactly the state at the time, or what the
 * person accepted instead). PRECHECK decides with it, and the command line asks it first so
 * that a time the engine cannot restore exactly is refused before anything starts.
 */
export function checkRestoreTime(environment: string, request: RestoreRequest, window: RestoreWindow, now = new Date()): CheckResult {
  const decision = planRestore(environment, request, window, now);
  if (!decision.ok) return { name: 'restore-time', ok: false, message: decision.message, fix: decision.fix };
  return { name: 'restore-time', ok: true, message: decision.message };
}
