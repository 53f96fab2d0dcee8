import type { OperationStatus, StepRecord } from '../workflows/types';
import { isRefusal } from '../common/checks';

/** A step whose heartbeat has not moved for this long is shown as quiet ("no heartbeat for N s"). */
const QUIET_AFTER_MS = 10_000;

/** Plain-text rendering of an operation for terminals and logs. */

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor() ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const cyan = paint(36);

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Whole seconds for "no heartbeat for 23 s" and "about 2 min 5 s left". */
function roughly(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** How long a running step has run, from its record (the workflow's clock) and now. */
export function elapsedMs(step: StepRecord, now = Date.now()): number | undefined {
  if (step.durationMs !== undefined && step.status !== 'running') return step.durationMs;
  return step.startedAt ? Math.max(0, now - Date.parse(step.startedAt)) : undefined;
}

/**
 * The running step's live line: percent and what it is doing (its heartbeat), time left where
 * the rate says it, and, when it stops moving, how long it has been silent.
 */
export function liveInfo(step: StepRecord, status: OperationStatus): { text: string; quiet: boolean } {
  const p = status.progress;
  if (step.status !== 'running' || !p || p.step !== step.name) return { text: '', quiet: false };
  if (p.waitingForWorker) {
    const retry = p.attempt && p.attempt > 1 ? `attempt ${p.attempt}${p.lastFailure ? ` after: ${p.lastFailure}` : ''}; ` : '';
    return { text: `${retry}waiting for a worker to pick it up for ${roughly(p.quietMs ?? 0)}`, quiet: (p.quietMs ?? 0) >= QUIET_AFTER_MS };
  }
  const parts = [`${p.percent.toFixed(0)}%`];
  if (p.detail) parts.push(p.detail);
  if (p.remainingMs !== undefined) parts.push(`about ${roughly(p.remainingMs)} left`);
  if (p.attempt && p.attempt > 1) parts.push(`attempt ${p.attempt}`);
  const quiet = (p.quietMs ?? 0) >= QUIET_AFTER_MS;
  if (quiet) parts.push(`no heartbeat for ${roughly(p.quietMs!)}`);
  return { text: parts.join(' · '), quiet };
}

export function stepIcon(step: StepRecord): string {
  switch (step.status) {
    case 'completed':
      return green('✔');
    case 'running':
      return cyan('▶');
    case 'failed':
      return red('✘');
    case 'skipped':
      return dim('-');
    default:
      return dim('·');
  }
}

export function phaseText(phase: string): string {
  if (phase === 'COMPLETED' || phase === 'AWAITING_SIGNOFF') return green(phase);
  if (phase === 'FAILED' || phase === 'REFUSED' || phase === 'ROLLBACK_FAILED') return red(phase);
  if (phase === 'ROLLED_BACK' || phase === 'ROLLING_BACK' || phase === 'CANCELLED') return yellow(phase);
  return cyan(phase);
}

export function renderStatus(s: OperationStatus, webUrl?: string): string {
  const lines: string[] = [];
  const route = [s.source, s.target].filter(Boolean).join(' → ');
  lines.push(`${bold(s.operationId)}  ${s.kind} ${route}  ${phaseText(s.phase)}`);
  lines.push(dim(`requested by ${s.requestedBy} at ${s.startedAt}`));
  for (const step of s.steps) {
    const live = liveInfo(step, s);
    const info =
      step.status === 'failed' ? red(step.error ?? '') : step.status === 'running' ? (live.quiet ? yellow(live.text) : live.text) : (step.summary ?? '');
    lines.push(`  ${stepIcon(step)} ${step.name.padEnd(11)} ${seconds(elapsedMs(step)).padStart(9)}  ${info}`);
  }
  if (s.phase === 'ROLLING_BACK' && s.progress?.step === 'ROLLBACK') {
    const p = s.progress;
    lines.push(
      `  ${cyan('▶')} ROLLBACK    ${p.percent.toFixed(0)}% ${p.detail ?? ''}${(p.quietMs ?? 0) >= QUIET_AFTER_MS ? yellow(` · no heartbeat for ${roughly(p.quietMs!)}`) : ''}`,
    );
  }
  if (s.marker) lines.push(`  marker: ${s.marker.environment} at ${s.marker.at} (${s.marker.restorePoint})`);
  if (s.restored)
    lines.push(
      `  restored: ${s.target}'s state at ${s.restored.stateAt}${s.restored.exact ? ' (exactly the time asked)' : ` (the nearest restorable state before ${s.restored.requested}, as accepted)`}${s.restored.restorePoint ? ` from restore point ${s.restored.restorePoint}` : ''}`,
    );
  if (s.unavailableWindowMs !== undefined) lines.push(`  unavailable window: ${s.unavailableWindowMs.toFixed(2)} ms (the database switch)`);
  if (s.applicationUnavailableMs !== undefined)
    lines.push(`  unavailable to users: ${seconds(s.applicationUnavailableMs)} (application stopped to healthy again)`);
  if (s.rolledBack)
    lines.push(
      `  rolled back at ${s.rolledBack.at}${s.rolledBack.restoredTo ? ` to ${s.rolledBack.restoredTo}` : ''}${s.rolledBack.durationMs !== undefined ? ` in ${seconds(s.rolledBack.durationMs)}` : ''}${
        s.rolledBack.applicationUnavailableMs !== undefined ? `; unavailable to users ${seconds(s.rolledBack.applicationUnavailableMs)}` : ''
      }`,
    );
  if (s.holdings.length)
    lines.push(
      `  holds on disk: ${s.holdings.map((h) => `${h.kind} ${h.location}${h.bytes !== undefined ? ` (${Math.round(h.bytes / 1024)} KiB)` : ''}`).join('; ')}`,
    );
  if (s.failure) {
    lines.push(red(`  ${s.failure.step} failed: ${s.failure.message}`));
    lines.push(`  retry:    ${s.failure.choices.retry}`);
    if (s.failure.choices.rollback) lines.push(`  rollback: ${s.failure.choices.rollback}`);
  }
  if (s.phase === 'REFUSED') for (const c of s.checks.filter(isRefusal)) lines.push(red(`  refused: ${c.message}`) + `\n      fix: ${c.fix}`);
  for (const c of s.checks.filter((c) => !c.ok && c.severity === 'warning')) lines.push(yellow(`  warning: ${c.message}`));
  for (const d of s.decisions.filter((d) => !d.accepted)) lines.push(yellow(`  refused ${d.kind} ${d.via} from ${d.by} at ${d.at}: ${d.reason ?? ''}`));
  if (s.checklist?.length && !s.signedOff && s.phase !== 'ROLLED_BACK' && s.phase !== 'ROLLING_BACK') {
    lines.push(yellow('  before users return (values that cannot travel, to re-enter in the client):'));
    for (const item of s.checklist) lines.push(`    - ${item}`);
  }
  if (s.signedOff) lines.push(`  signed off by ${s.signedOff.by} at ${s.signedOff.at}${s.signedOff.note ? `: ${s.signedOff.note}` : ''}`);
  if (s.phase === 'AWAITING_SIGNOFF' || s.phase === 'ROLLED_BACK') {
    if (!s.signedOff)
      lines.push(`  next: ${bold(`dbmove sign-off ${s.operationId}`)}${s.phase === 'AWAITING_SIGNOFF' ? ` (or dbmove rollback ${s.operationId})` : ''}`);
  }
  if (webUrl) lines.push(dim(`  ${webUrl}`));
  return lines.join('\n');
}

/** The JSON shape `--json` prints: stable keys for scripts. */
export function statusJson(s: OperationStatus, extra: Record<string, unknown> = {}) {
  return {
    operationId: s.operationId,
    kind: s.kind,
    source: s.source,
    target: s.target,
    phase: s.phase,
    steps: s.steps.map((step) => ({
      name: step.name,
      status: step.status,
      startedAt: step.startedAt ?? null,
      endedAt: step.endedAt ?? null,
      durationMs: step.durationMs ?? null,
      activityMs: step.activityMs ?? null,
      attempts: step.attempts,
      rowsAffected: step.rowsAffected ?? null,
      summary: step.summary ?? null,
      error: step.error ?? null,
    })),
    marker: s.marker ?? null,
    unavailableWindowMs: s.unavailableWindowMs ?? null,
    applicationUnavailableMs: s.applicationUnavailableMs ?? null,
    checklist: s.checklist ?? [],
    progress: s.progress ?? null,
    failure: s.failure ?? null,
    checks: s.checks,
    holdings: s.holdings,
    decisions: s.decisions,
    signedOff: s.signedOff ?? null,
    rolledBack: s.rolledBack ?? null,
    restored: s.restored ?? null,
    ...extra,
  };
}
