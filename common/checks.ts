import type { CheckResult } from '../workflows/types';

/**
 * A check refuses the operation unless it passed or is only a warning. One rule for PRECHECK
 * (workflow and activities), `dbmove plan` and the status display. No imports but types: used
 * by workflow, activity and client code.
 */
export const isRefusal = (check: CheckResult): boolean => !check.ok && check.severity !== 'warning';

/** The PRECHECK step's one-line summary. */
export function checksSummary(checks: CheckResult[]): string {
  const refused = checks.filter(isRefusal).length;
  return refused ? `${refused} of ${checks.length} checks failed` : `${checks.length} checks passed`;
}
