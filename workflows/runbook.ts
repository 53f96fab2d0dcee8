import { CancellationScope, isCancellation, log, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { DecisionDesk } from './decisions';
import { checksSummary, isRefusal } from '../common/checks';
import { describeFailure, RollbackRequested } from './failure';
import { statusQuery } from './messages';
import { mayMove } from './phases';
import { DbmoveOperation, DbmovePhase, DbmoveSource, DbmoveTarget } from './search-attributes';
import { notifications } from './sinks';
import type {
  CheckResult,
  Decision,
  Holding,
  LogLine,
  Marker,
  OnFailure,
  OperationKind,
  OperationStatus,
  Phase,
  RestoredState,
  StepName,
  StepOutcome,
  StepRecord,
  TargetWritesSeen,
} from './types';

/**
 * The runbook of one operation: the status an administrator queries, and the only code that
 * writes it. It moves the operation between phases along the edges `phases.ts` allows, keeps
 * the step records and the log, runs a step through the durable failure gate, and receives
 * decisions through its DecisionDesk.
 */

const MAX_LOG_LINES = 500;

export interface RunbookOptions {
  kind: OperationKind;
  source?: string;
  target?: string;
  requestedBy: string;
  onFailure?: OnFailure;
  /** Every step of the operation, PRECHECK first, in the order the recipe runs them. */
  steps: StepName[];
}

export class Runbook {
  readonly operationId: string;
  readonly decisions: DecisionDesk;
  private readonly state: OperationStatus;
  private phaseChanges = 0;
  private entered = false;
  /** The step that last entered FAILED: `retry` moves back to it. */
  private failedStep: StepName | undefined;
  /** Words for the rollback choice shown in FAILED; operations set it as they progress. */
  private rollbackMeans = 'Drop what the operation prepared; the target was not touched.';

  constructor(private readonly options: RunbookOptions) {
    this.operationId = workflowInfo().workflowId;
    this.state = {
      operationId: this.operationId,
      kind: options.kind,
      source: options.source,
      target: options.target,
      requestedBy: options.requestedBy,
      startedAt: new Date().toISOString(),
      phase: options.steps[0],
      steps: options.steps.map((name): StepRecord => ({ name, status: 'pending', attempts: 0 })),
      checks: [],
      holdings: [],
      decisions: [],
      logs: [],
    };
    this.decisions = new DecisionDesk({
      operationId: this.operationId,
      phase: () => this.state.phase,
      failedStep: () => this.state.failure?.step,
      environment: () => this.state.target ?? this.state.source,
      record: (decision, line) => this.recordDecision(decision, line),
    });
    setHandler(statusQuery, () => this.state, { description: 'Phase, steps, marker, unavailable window, holdings, decisions and log lines' });
    this.decisions.install(() => this.state);
    this.tagSearchAttributes();
  }

  get status(): Readonly<OperationStatus> {
    return this.state;
  }

  get phase(): Phase {
    return this.state.phase;
  }

  // ── moving between phases ────────────────────────────────────────────────────────────

  /** The one place an operation changes phase: checked against `phases.ts`, then published. */
  moveTo(phase: Phase): void {
    const from = this.state.phase;
    if (this.entered && from !== phase && !mayMove(from, phase, { next: this.phaseAfter(from), failedStep: this.failedStep })) {
      throw new Error(`dbmove bug: a ${this.options.kind} cannot move from ${from} to ${phase} (workflows/phases.ts)`);
    }
    this.entered = true;
    this.state.phase = phase;
    upsertSearchAttributes([{ key: DbmovePhase, value: phase }]);
    setCurrentDetails(this.currentDetails());
    const s = this.state;
    notifications.phaseChanged({
      operationId: s.operationId,
      kind: s.kind,
      source: s.source,
      target: s.target,
      phase,
      sequence: ++this.phaseChanges,
      at: new Date().toISOString(),
      message: phase === 'FAILED' || phase === 'ROLLBACK_FAILED' ? s.failure?.message : undefined,
    });
  }

  /** The recipe's next step after `phase`, or AWAITING_SIGNOFF after the last one. */
  private phaseAfter(phase: Phase): Phase | undefined {
    const index = this.state.steps.findIndex((s) => s.name === phase);
    if (index < 0) return undefined;
    return this.state.steps[index + 1]?.name ?? 'AWAITING_SIGNOFF';
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────

  private record(name: StepName): StepRecord {
    const record = this.state.steps.find((s) => s.name === name);
    if (!record) throw new Error(`Step ${name} is not part of a ${this.options.kind}`);
    return record;
  }

  /** A step starts (again): a new attempt, and the operation's phase becomes the step. */
  beginStep(name: StepName): number {
    const started = Date.now();
    Object.assign(this.record(name), { status: 'running', startedAt: new Date(started).toISOString(), endedAt: undefined, error: undefined });
    this.record(name).attempts += 1;
    this.moveTo(name);
    return started;
  }

  private completeStep(name: StepName, started: number, outcome: StepOutcome): void {
    const ended = Date.now();
    Object.assign(this.record(name), {
      status: 'completed',
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      activityMs: Math.round(outcome.activityMs),
      rowsAffected: outcome.rowsAffected,
      summary: outcome.summary,
    });
    if (outcome.holdings) this.state.holdings = outcome.holdings;
    this.log('info', `${name}: ${outcome.summary}`, name);
    for (const note of outcome.notes) this.log('info', note, name);
    for (const item of outcome.checklist ?? []) {
      this.state.checklist ??= [];
      if (this.state.checklist.includes(item)) continue;
      this.state.checklist.push(item);
      this.log('warn', `Before users return: ${item}`, name);
    }
  }

  /**
   * Runs one step. When it fails after its retries the operation enters FAILED and waits,
   * durably, for `retry` (the step runs again) or `rollback` (RollbackRequested is thrown).
   */
  async runStep<T extends StepOutcome>(name: StepName, run: () => Promise<T>): Promise<T> {
    const record = this.record(name);
    for (;;) {
      const started = this.beginStep(name);
      try {
        const outcome = await run();
        this.completeStep(name, started, outcome);
        return outcome;
      } catch (err) {
        // A step that failed or timed out after the operation was cancelled ends as cancelled:
        // the cancel waited for it to stop, however it stopped.
        if (isCancellation(err) || CancellationScope.current().consideredCancelled) {
          Object.assign(record, { status: 'failed', endedAt: new Date().toISOString(), error: 'cancelled' });
          throw err;
        }
        const failure = describeFailure(err);
        Object.assign(record, { status: 'failed', endedAt: new Date().toISOString(), durationMs: Date.now() - started, error: failure.message });
        this.state.failure = {
          step: name,
          message: failure.message,
          type: failure.type,
          at: new Date().toISOString(),
          attempts: record.attempts,
          choices: {
            retry: `Run ${name} again once the cause is fixed: dbmove retry ${this.operationId}`,
            rollback: `${this.rollbackMeans} dbmove rollback ${this.operationId}`,
          },
        };
        this.failedStep = name;
        this.moveTo('FAILED');
        this.log('error', `${name} failed: ${failure.message}`, name);
        if (this.options.onFailure === 'rollback') {
          this.log('info', 'Rolling back without waiting for a decision (--on-failure rollback)', name);
          throw new RollbackRequested(undefined);
        }
        const decision = await this.awaitDecision();
        if (decision.kind === 'rollback') throw new RollbackRequested(decision);
        this.state.failure = undefined;
        this.log('info', `Retrying ${name} (${decision.by}${decision.note ? `: ${decision.note}` : ''})`, name);
      }
    }
  }

  /** PRECHECK ends: its checks are recorded, and it either passed or refused the operation. */
  finishPrecheck(started: number, checks: CheckResult[], activityMs: number, refusals: CheckResult[]): void {
    this.state.checks = checks;
    for (const check of checks.filter((c) => !c.ok && c.severity === 'warning')) this.log('warn', `${check.message}. ${check.fix ?? ''}`.trim(), 'PRECHECK');
    const ended = Date.now();
    const record = this.record('PRECHECK');
    Object.assign(record, { endedAt: new Date(ended).toISOString(), durationMs: ended - started, activityMs });
    if (refusals.length) {
      Object.assign(record, { status: 'failed', error: refusals.map((c) => c.message).join('; ') });
      for (const check of refusals) this.log('error', `Refused: ${check.message}. Fix: ${check.fix}`, 'PRECHECK');
      this.moveTo('REFUSED');
      return;
    }
    Object.assign(record, { status: 'completed', summary: checksSummary(checks) });
    this.log('info', `PRECHECK: ${checksSummary(checks)}`, 'PRECHECK');
  }

  // ── compensation ──────────────────────────────────────────────────────────────────

  /**
   * Runs compensation in ROLLING_BACK until it succeeds: a failure enters ROLLBACK_FAILED and
   * waits for `retry`. `safe` tells the administrator what is still true while it waits.
   */
  async compensate(undo: () => Promise<StepOutcome>, safe: string): Promise<StepOutcome> {
    this.state.failure = undefined;
    for (;;) {
      this.moveTo('ROLLING_BACK');
      const started = Date.now();
      try {
        const outcome = await undo();
        this.state.holdings = outcome.holdings ?? this.state.holdings;
        this.state.rolledBack = { ...(this.state.rolledBack ?? { at: new Date().toISOString() }), durationMs: Date.now() - started };
        this.log('info', `ROLLBACK: ${outcome.summary}`, 'ROLLBACK');
        for (const note of outcome.notes) this.log('info', note, 'ROLLBACK');
        this.moveTo('ROLLED_BACK');
        return outcome;
      } catch (err) {
        const failure = describeFailure(err);
        this.state.failure = {
          step: 'ROLLBACK',
          message: failure.message,
          type: failure.type,
          at: new Date().toISOString(),
          attempts: 1,
          choices: { retry: `Run the rollback again once the cause is fixed (${safe}): dbmove retry ${this.operationId}` },
        };
        this.log('error', `Rollback failed: ${failure.message}`, 'ROLLBACK');
        this.moveTo('ROLLBACK_FAILED');
        await this.awaitDecision();
        this.state.failure = undefined;
      }
    }
  }

  // ── decisions ─────────────────────────────────────────────────────────────────────

  /** Waits durably (days if need be) for the next accepted decision. */
  async awaitDecision(): Promise<Decision> {
    setCurrentDetails(this.currentDetails());
    return this.decisions.next();
  }

  private recordDecision(decision: Decision, line: { level: 'info' | 'warn'; message: string }): void {
    this.state.decisions.push(decision);
    const step = !decision.accepted ? undefined : decision.kind === 'sign-off' ? 'SIGNOFF' : decision.kind === 'rollback' ? 'ROLLBACK' : undefined;
    this.log(line.level, line.message, step);
  }

  /** A decision the workflow made for a person (auto sign-off) or refused on its own (cancel after SWAP). */
  noteDecision(decision: Decision): void {
    this.state.decisions.push(decision);
  }

  // ── facts the operation learns ───────────────────────────────────────────────────────

  log(level: LogLine['level'], message: string, step?: LogLine['step']): void {
    this.state.logs.push({ at: new Date().toISOString(), level, step, message });
    if (this.state.logs.length > MAX_LOG_LINES) this.state.logs.splice(0, this.state.logs.length - MAX_LOG_LINES);
    log[level](message, { operationId: this.operationId, step });
  }

  setApprovers(approvers: string[]): void {
    this.decisions.setApprovers(approvers);
  }

  setRollbackMeans(words: string): void {
    this.rollbackMeans = words;
  }

  setMarker(marker: Marker): void {
    this.state.marker = marker;
  }

  setUnavailableWindow(ms: number): void {
    this.state.unavailableWindowMs = ms;
  }

  setApplicationUnavailable(ms: number | undefined): void {
    if (ms !== undefined) this.state.applicationUnavailableMs = ms;
  }

  setHoldings(holdings: Holding[]): void {
    this.state.holdings = holdings;
  }

  setRolledBack(facts: { restoredTo?: string; unavailableWindowMs?: number; applicationUnavailableMs?: number }): void {
    this.state.rolledBack = { at: new Date().toISOString(), ...facts };
  }

  /** A cancel request was accepted: where the operation was when it came. */
  setCancelRequested(): void {
    const at = new Date().toISOString();
    this.state.cancelled = { at, phase: this.state.phase };
    this.state.decisions.push({ kind: 'cancel', by: '(cancel request)', at, via: 'signal', accepted: true });
    this.log('warn', `Cancel requested in ${this.state.phase}: the running step stops, then what the operation holds is removed`, 'CANCEL');
  }

  setTargetWrites(writes: TargetWritesSeen): void {
    this.state.targetWrites = writes;
    const tables = writes.tables.map((t) => `${t.table} ${t.rows}`).join(', ');
    this.log(
      'warn',
      `${writes.rows} rows changed in ${this.state.target} by its users between MARKER and SWAP (${tables}); ${writes.outcome === 'overwritten' ? 'SWAP replaced them with the new data' : 'SWAP stopped before replacing them'}`,
      'SWAP',
    );
    setCurrentDetails(this.currentDetails());
  }

  /** A point-in-time restore prepared this state: the status, the log and the result name its time. */
  setRestored(state: RestoredState): void {
    this.state.restored = state;
    this.log(
      'info',
      state.exact
        ? `Restoring ${this.state.target} to its state at ${state.stateAt}, exactly the time asked${state.restorePoint ? ` (restore point ${state.restorePoint})` : ''}`
        : `Restoring ${this.state.target} to its state at ${state.stateAt}, the nearest restorable state before the ${state.requested} asked (accepted with --nearest)`,
      'RESTORE',
    );
  }

  setSignedOff(decision: Decision): void {
    this.state.signedOff = { by: decision.by, at: decision.at, note: decision.note };
  }

  // ── what the Web UI shows ────────────────────────────────────────────────────────────

  private tagSearchAttributes(): void {
    // Client starts set these already; schedules and the temporal CLI may not.
    const existing = workflowInfo().typedSearchAttributes;
    const wanted = [
      { key: DbmoveOperation, value: this.options.kind },
      ...(this.options.source ? [{ key: DbmoveSource, value: this.options.source }] : []),
      ...(this.options.target ? [{ key: DbmoveTarget, value: this.options.target }] : []),
      { key: DbmovePhase, value: this.state.phase as string },
    ].filter((pair) => existing.get(pair.key) !== pair.value);
    if (wanted.length) upsertSearchAttributes(wanted);
    setCurrentDetails(this.currentDetails());
  }

  /**
   * Markdown for the Web UI's "current details": where the operation stands, what to do, and
   * the steps in one line. The UI (2.42) shows it in a frame sized when it loads, about
   * 100 px, that does not grow: so it is one paragraph of four short lines (backslash line
   * breaks, no paragraph gaps), long messages cut, and every step's time is in `dbmove status`
   * and the History tab instead. The running step's live progress is in the UI's Pending Activities tab (its
   * heartbeat) and in `dbmove status`: a workflow never sees heartbeats.
   */
  currentDetails(): string {
    const s = this.state;
    const route = [s.source, s.target].filter(Boolean).join(' → ');
    const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
    const payload = 'payload {"by": "you"}';
    const lines = [`**${s.kind}** ${route} · phase **${s.phase}**`];
    switch (s.phase) {
      case 'FAILED':
        lines.push(
          `✗ ${s.failure?.step} failed: ${cut(s.failure?.message ?? '', 90)}`,
          `Retry: signal \`retry\` · Roll back: signal \`rollback\` · ${payload}`,
        );
        break;
      case 'ROLLBACK_FAILED':
        lines.push(`✗ rollback failed: ${cut(s.failure?.message ?? '', 90)}`, `Retry the rollback: signal \`retry\` · ${payload}`);
        break;
      case 'AWAITING_SIGNOFF':
        lines.push(`Sign off: signal \`signOff\` · Roll back: signal \`rollback\` · ${payload}`);
        break;
      case 'ROLLED_BACK':
        lines.push(
          s.signedOff
            ? `Rolled back${s.rolledBack?.restoredTo ? ` to ${s.rolledBack.restoredTo}` : ''}; closed by ${s.signedOff.by} at ${s.signedOff.at}`
            : `Rolled back${s.rolledBack?.restoredTo ? ` to ${s.rolledBack.restoredTo}` : ''}. Close it: signal \`signOff\` · ${payload}`,
        );
        break;
      case 'COMPLETED':
        lines.push(`Signed off by ${s.signedOff?.by ?? '?'} at ${s.signedOff?.at ?? '?'}`);
        break;
      case 'CANCELLED':
        lines.push(`Cancelled before SWAP: what it prepared was removed${s.target ? `; ${s.target} was not touched` : ''}`);
        break;
      case 'REFUSED':
        lines.push(
          `Refused at PRECHECK, nothing touched: ${cut(
            s.checks
              .filter(isRefusal)
              .map((c) => c.message)
              .join('; '),
            90,
          )}`,
        );
        break;
      case 'ROLLING_BACK':
        lines.push('Rolling back; live progress: Pending Activities, or `dbmove status --watch`');
        break;
      default:
        lines.push(`Running ${s.phase}; live progress: Pending Activities, or \`dbmove status --watch\``);
    }
    const done = s.steps.filter((step) => step.status === 'completed');
    const running = s.steps.find((step) => step.status === 'running' || step.status === 'failed');
    const took = done.reduce((ms, step) => ms + (step.durationMs ?? 0), 0);
    lines.push(
      `Steps: ${done.length} of ${s.steps.length} done (${(took / 1000).toFixed(1)} s)` +
        (running ? `, ${running.name} ${running.status === 'failed' ? 'failed' : 'running'} (attempt ${running.attempts})` : '') +
        (s.unavailableWindowMs !== undefined ? `; unavailable ${s.unavailableWindowMs.toFixed(1)} ms at SWAP` : '') +
        (s.applicationUnavailableMs !== undefined ? `, ${(s.applicationUnavailableMs / 1000).toFixed(1)} s to users` : ''),
    );
    if (s.targetWrites?.rows)
      lines.push(
        `⚠ ${s.targetWrites.rows} rows written to ${s.target} after MARKER were ${s.targetWrites.outcome === 'overwritten' ? 'overwritten by SWAP' : 'kept: SWAP stopped'} (${s.targetWrites.tables.map((t) => `${t.table} ${t.rows}`).join(', ')})`,
      );
    if (s.phase === 'CANCELLED' && s.cancelled) lines.push(`Cancelled in ${s.cancelled.phase} at ${s.cancelled.at}`);
    return lines.join('\\\n');
  }
}
