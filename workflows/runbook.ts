import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  retrySignal,
  retryUpdate,
  rollbackSignal,
  rollbackUpdate,
  signOffSignal,
  signOffUpdate,
  statusQuery,
} from './messages';
import { DbmoveOperation, DbmovePhase, DbmoveSource, DbmoveTarget } from './search-attributes';
import { notifications } from './sinks';
import type {
  Decision,
  DecisionInput,
  LogLine,
  OnFailure,
  OperationKind,
  OperationStatus,
  Phase,
  StepName,
  StepOutcome,
  StepRecord,
} from './types';

/**
 * The runbook machinery every operation shares: the status an administrator queries, the
 * step records, the durable failure gate, and the decisions people and programs send.
 *
 * Decisions arrive as signals (people: Web UI, temporal CLI) or updates (programs). Both go
 * through `judge`, so the same rules apply: a decision must fit the phase, and the person
 * must be one of the environment's approvers when it lists any. A refused update never
 * reaches the history; a refused signal is recorded and ignored, because a signal cannot be
 * refused and a malformed one must never fail the workflow.
 */

export type DecisionKind = 'sign-off' | 'rollback' | 'retry';

/** Thrown inside an operation to leave the step sequence and compensate. */
export class RollbackRequested extends Error {
  constructor(readonly decision: Decision | undefined) {
    super('Rollback requested');
    this.name = 'RollbackRequested';
  }
}

const MAX_LOG_LINES = 500;

export interface RunbookOptions {
  kind: OperationKind;
  source?: string;
  target?: string;
  requestedBy: string;
  onFailure?: OnFailure;
  steps: StepName[];
}

export class Runbook {
  readonly status: OperationStatus;
  readonly operationId: string;
  private approvers: string[] = [];
  private pending: Decision | undefined;
  private phaseChanges = 0;
  /** Words for the rollback choice shown in FAILED; operations set it as they progress. */
  rollbackMeans = 'Drop what the operation prepared; the target was not touched.';
  /** Whether the current phase offers rollback at all. */
  rollbackOffered = true;

  constructor(private readonly options: RunbookOptions) {
    this.operationId = workflowInfo().workflowId;
    this.status = {
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
    this.installHandlers();
    this.tagSearchAttributes();
  }

  get phase(): Phase {
    return this.status.phase;
  }

  setApprovers(approvers: string[]): void {
    this.approvers = [...approvers];
  }

  log(level: LogLine['level'], message: string, step?: LogLine['step']): void {
    this.status.logs.push({ at: new Date().toISOString(), level, step, message });
    if (this.status.logs.length > MAX_LOG_LINES) this.status.logs.splice(0, this.status.logs.length - MAX_LOG_LINES);
    log[level](message, { operationId: this.operationId, step });
  }

  setPhase(phase: Phase): void {
    this.status.phase = phase;
    upsertSearchAttributes([{ key: DbmovePhase, value: phase }]);
    setCurrentDetails(this.currentDetails());
    const s = this.status;
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

  step(name: StepName): StepRecord {
    const record = this.status.steps.find((s) => s.name === name);
    if (!record) throw new Error(`Step ${name} is not part of a ${this.options.kind}`);
    return record;
  }

  /**
   * Runs one step. When it fails after its retries the operation enters FAILED and waits,
   * durably, for `retry` (the step runs again) or `rollback` (RollbackRequested is thrown).
   */
  async runStep<T extends StepOutcome>(name: StepName, run: () => Promise<T>): Promise<T> {
    const record = this.step(name);
    for (;;) {
      const started = Date.now();
      record.status = 'running';
      record.attempts += 1;
      record.startedAt = new Date(started).toISOString();
      record.endedAt = undefined;
      record.error = undefined;
      this.setPhase(name);
      try {
        const outcome = await run();
        const ended = Date.now();
        Object.assign(record, {
          status: 'completed',
          endedAt: new Date(ended).toISOString(),
          durationMs: ended - started,
          activityMs: Math.round(outcome.activityMs),
          rowsAffected: outcome.rowsAffected,
          summary: outcome.summary,
        });
        if (outcome.holdings) this.status.holdings = outcome.holdings;
        this.log('info', `${name}: ${outcome.summary}`, name);
        for (const note of outcome.notes) this.log('info', note, name);
        return outcome;
      } catch (err) {
        if (isCancellation(err)) {
          Object.assign(record, { status: 'failed', endedAt: new Date().toISOString(), error: 'cancelled' });
          throw err;
        }
        const failure = describeFailure(err);
        Object.assign(record, { status: 'failed', endedAt: new Date().toISOString(), durationMs: Date.now() - started, error: failure.message });
        this.status.failure = {
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
        this.setPhase('FAILED');
        this.log('error', `${name} failed: ${failure.message}`, name);
        if (this.options.onFailure === 'rollback') {
          this.log('info', 'Rolling back without waiting for a decision (--on-failure rollback)', name);
          throw new RollbackRequested(undefined);
        }
        const decision = await this.awaitDecision();
        if (decision.kind === 'rollback') throw new RollbackRequested(decision);
        this.status.failure = undefined;
        this.log('info', `Retrying ${name} (${decision.by}${decision.note ? `: ${decision.note}` : ''})`, name);
      }
    }
  }

  /** Waits durably (days if need be) for the next accepted decision. */
  async awaitDecision(): Promise<Decision> {
    setCurrentDetails(this.currentDetails());
    await condition(() => this.pending !== undefined);
    const decision = this.pending!;
    this.pending = undefined;
    return decision;
  }

  /** Which decisions the current phase accepts, and why not otherwise. */
  allowed(kind: DecisionKind): string | undefined {
    const phase = this.status.phase;
    const id = this.operationId;
    if (this.pending) return `a ${this.pending.kind} decision by ${this.pending.by} is already being acted on`;
    switch (kind) {
      case 'sign-off':
        if (phase === 'AWAITING_SIGNOFF' || phase === 'ROLLED_BACK') return undefined;
        if (phase === 'COMPLETED') return 'the operation is already signed off';
        if (phase === 'FAILED') return `the operation failed in ${this.status.failure?.step}; retry it (dbmove retry ${id}) or roll it back (dbmove rollback ${id}) before signing off`;
        if (phase === 'ROLLBACK_FAILED') return `the rollback failed; retry it (dbmove retry ${id}) before signing off`;
        return `the operation is in ${phase}; sign-off is accepted once it reaches AWAITING_SIGNOFF or ROLLED_BACK`;
      case 'rollback':
        if (phase === 'FAILED' && this.rollbackOffered) return undefined;
        if (phase === 'AWAITING_SIGNOFF' && this.rollbackOffered) return undefined;
        if (phase === 'ROLLED_BACK') return 'the operation is already rolled back; sign it off to close it';
        if (phase === 'COMPLETED') return 'the operation is signed off and closed; start a point-in-time restore instead (dbmove restore)';
        if (phase === 'ROLLBACK_FAILED') return `the rollback failed; retry it (dbmove retry ${id})`;
        if (!this.rollbackOffered) return `a ${this.options.kind} has nothing to roll back in ${phase}`;
        return `the operation is in ${phase}; rollback is accepted in FAILED or AWAITING_SIGNOFF (cancel the operation to stop a running step)`;
      case 'retry':
        if (phase === 'FAILED' || phase === 'ROLLBACK_FAILED') return undefined;
        return `nothing has failed (the operation is in ${phase}); retry is accepted in FAILED or ROLLBACK_FAILED`;
    }
  }

  private judge(kind: DecisionKind, input: unknown, via: Decision['via']): { decision?: Decision; reason?: string } {
    const at = new Date().toISOString();
    const parsed = parseDecisionInput(input);
    if (typeof parsed === 'string') return { reason: parsed };
    const phaseProblem = this.allowed(kind);
    if (phaseProblem) return { reason: phaseProblem };
    if (this.approvers.length && !this.approvers.includes(parsed.by)) {
      return { reason: `${parsed.by} is not an approver of ${this.status.target ?? this.status.source}; approvers: ${this.approvers.join(', ')}` };
    }
    return { decision: { kind, by: parsed.by, note: parsed.note, at, via, accepted: true } };
  }

  private accept(decision: Decision): OperationStatus {
    this.pending = decision;
    this.status.decisions.push(decision);
    this.log('info', `${decision.kind} accepted from ${decision.by} (${decision.via})${decision.note ? `: ${decision.note}` : ''}`, decision.kind === 'sign-off' ? 'SIGNOFF' : decision.kind === 'rollback' ? 'ROLLBACK' : undefined);
    return this.status;
  }

  private installHandlers(): void {
    setHandler(statusQuery, () => this.status, { description: 'Phase, steps, marker, unavailable window, holdings, decisions and log lines' });
    const kinds: [DecisionKind, typeof signOffSignal, typeof signOffUpdate, string][] = [
      ['sign-off', signOffSignal, signOffUpdate, 'Accept the operation and free the environment. Payload: {"by": "you@contoso.com", "note": "optional"}'],
      ['rollback', rollbackSignal, rollbackUpdate, 'Return the target to its point-in-time marker. Payload: {"by": "you@contoso.com", "note": "optional"}'],
      ['retry', retrySignal, retryUpdate, 'Run the failed step again. Payload: {"by": "you@contoso.com", "note": "optional"}'],
    ];
    for (const [kind, signal, update, description] of kinds) {
      setHandler(
        signal,
        (input: DecisionInput) => {
          const verdict = this.judge(kind, input, 'signal');
          if (verdict.decision) {
            this.accept(verdict.decision);
          } else {
            const by = typeof (input as { by?: unknown } | undefined)?.by === 'string' ? String((input as { by: string }).by).slice(0, 128) : '(unknown)';
            this.status.decisions.push({ kind, by, at: new Date().toISOString(), via: 'signal', accepted: false, reason: verdict.reason });
            this.log('warn', `${kind} signal from ${by} ignored: ${verdict.reason}`);
          }
        },
        { description },
      );
      setHandler(
        update,
        (input: DecisionInput) => {
          const verdict = this.judge(kind, input, 'update');
          if (!verdict.decision) throw ApplicationFailure.nonRetryable(verdict.reason ?? 'refused', 'DecisionRefused');
          return this.accept(verdict.decision);
        },
        {
          description,
          validator: (input: DecisionInput) => {
            const verdict = this.judge(kind, input, 'update');
            if (!verdict.decision) throw new Error(`${kind} refused: ${verdict.reason}`);
          },
        },
      );
    }
  }

  private tagSearchAttributes(): void {
    // Client starts set these already; schedules and the temporal CLI may not.
    const existing = workflowInfo().typedSearchAttributes;
    const wanted = [
      { key: DbmoveOperation, value: this.options.kind },
      ...(this.options.source ? [{ key: DbmoveSource, value: this.options.source }] : []),
      ...(this.options.target ? [{ key: DbmoveTarget, value: this.options.target }] : []),
      { key: DbmovePhase, value: this.status.phase as string },
    ].filter((pair) => existing.get(pair.key) !== pair.value);
    if (wanted.length) upsertSearchAttributes(wanted);
    setCurrentDetails(this.currentDetails());
  }

  /** Markdown for the Web UI's "current details": where the operation stands and what to do. */
  currentDetails(): string {
    const s = this.status;
    const route = [s.source, s.target].filter(Boolean).join(' → ');
    const steps = s.steps
      .map((step) => `${step.status === 'completed' ? '✓' : step.status === 'running' ? '▶' : step.status === 'failed' ? '✗' : '·'} ${step.name}${step.durationMs !== undefined && step.status === 'completed' ? ` ${(step.durationMs / 1000).toFixed(1)}s` : ''}`)
      .join(' · ');
    const lines = [`**${s.kind}** ${route} · phase **${s.phase}**`, steps];
    if (s.phase === 'FAILED' && s.failure) {
      lines.push(`Failed in ${s.failure.step}: ${s.failure.message}`, `Retry: signal \`retry\` {"by": "you"} · Roll back: signal \`rollback\` {"by": "you"}`);
    }
    if (s.phase === 'AWAITING_SIGNOFF' || s.phase === 'ROLLED_BACK') {
      lines.push(`Sign off: signal \`signOff\` with {"by": "you"}, or \`dbmove sign-off ${s.operationId}\``);
    }
    if (s.unavailableWindowMs !== undefined) lines.push(`Unavailable window: ${s.unavailableWindowMs.toFixed(1)} ms`);
    return lines.join('\n\n');
  }

  /** Runs compensation that must finish even if the operation is being cancelled. */
  static compensate<T>(fn: () => Promise<T>): Promise<T> {
    return CancellationScope.nonCancellable(fn);
  }
}

export function parseDecisionInput(input: unknown): DecisionInput | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'the payload must be a JSON object such as {"by": "you@contoso.com"}';
  }
  const { by, note } = input as { by?: unknown; note?: unknown };
  if (typeof by !== 'string' || by.trim() === '') return 'the payload must name who decides: {"by": "you@contoso.com"}';
  if (by.length > 128) return '"by" is longer than 128 characters';
  if (!/^[\w.@+\- ]+$/u.test(by)) return '"by" may hold letters, digits, spaces and . @ + - _ only';
  if (note !== undefined && (typeof note !== 'string' || note.length > 1000)) return '"note" must be text of at most 1000 characters';
  const extra = Object.keys(input as object).filter((k) => k !== 'by' && k !== 'note');
  if (extra.length) return `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; the payload takes "by" and "note"`;
  return { by: by.trim(), note: note as string | undefined };
}

/** Digs the business reason out of an activity failure. */
export function describeFailure(err: unknown): { message: string; type?: string } {
  let cause: unknown = err;
  if (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { message: cause.message, type: cause.type ?? undefined };
  if (cause instanceof TimeoutFailure) {
    const what = cause.timeoutType === 'HEARTBEAT' ? 'sent no heartbeat within its heartbeat timeout' : `exceeded its ${String(cause.timeoutType).toLowerCase().replace(/_/g, '-')} timeout`;
    return { message: `the step stopped responding: it ${what} on its last attempt`, type: 'Timeout' };
  }
  if (cause instanceof Error) return { message: cause.message, type: cause.name };
  return { message: String(cause) };
}
