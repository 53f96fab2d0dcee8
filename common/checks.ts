import type { CheckResult } from '../workflows/types';

/**
 * A check refuses the operation unless it passed or is only a warning. One rule for PRECHECK
 * (workflow and activities), `dbmove plan` and the status display. No imports but types: used
 * by workflow, activity and client code.
 */
export const isRefusal = (check: CheckResult): boolean => !check.ok && check.severity !== 'warning';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The PRECHECK step's one-line summary, the one count everywhere (the step's summary, its log
 * line, `dbmove plan`): every check made, the workflow's lease check included, and the
 * warnings among them named as such.
 */
export function checksSummary(checks: CheckResult[]): string {
  const refused = checks.filter(isRefusal).length;
  const warnings = checks.filter((c) => !c.ok && c.severity === 'warning').length;
  const passed = checks.length - refused - warnings;
  if (refused) return `${refused} of ${plural(checks.length, 'check')} failed`;
  return `${plural(passed, 'check')} passed${warnings ? `, ${plural(warnings, 'warning')}` : ''}`;
}

/**
 * The rules a request can be judged by from the catalog alone, before anything starts. PRECHECK
 * makes the same checks (activities/steps/precheck), and the command line refuses with them
 * up front, so the words are the same wherever the refusal comes from.
 */
export function targetNotProductionCheck(target: { name: string; type: string }, operation: string): CheckResult {
  if (target.type === 'production')
    return {
      name: 'target-not-production',
      ok: false,
      message: `${target.name} is a production environment; ${operation} never overwrites production`,
      fix: 'choose a sandbox as the target',
    };
  return { name: 'target-not-production', ok: true, message: `${target.name} is a sandbox` };
}

export function sourceIsNotTargetCheck(source: string, target: string): CheckResult {
  if (source === target)
    return {
      name: 'source-is-not-target',
      ok: false,
      message: `The source and the target are both ${source}`,
      fix: 'choose a different source (production or another sandbox) for the refresh',
    };
  return { name: 'source-is-not-target', ok: true, message: `${source} and ${target} are different environments` };
}
