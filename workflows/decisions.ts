import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { retrySignal, retryUpdate, rollbackSignal, rollbackUpdate, signOffSignal, signOffUpdate } from './messages';
import { decisionRefusal } from './phases';
import type { Decision, DecisionInput, DecisionKind, Phase } from './types';

/**
 * Where decisions arrive. Each decision exists as a signal (people: the Web UI, `temporal
 * workflow signal`) and as an update (programs: the `dbmove` client); both go through `judge`,
 * so one set of rules applies: the payload must be well formed, the phase must accept the
 * decision (`phases.ts`), and the person must be one of the environment's approvers when it
 * lists any. A refused update never reaches the history; a refused signal is recorded and
 * ignored, because a signal cannot be refused and a malformed one must never fail the workflow.
 */
export interface DecisionContext {
  readonly operationId: string;
  phase(): Phase;
  failedStep(): string | undefined;
  /** The environment whose approvers decide, for the refusal message. */
  environment(): string | undefined;
  /** Records an accepted or refused decision in the status and the log. */
  record(decision: Decision, logLine: { level: 'info' | 'warn'; message: string }): void;
}

const DESCRIPTIONS: Record<DecisionKind, string> = {
  'sign-off': 'Accept the operation and free the environment. Payload: {"by": "you@contoso.com", "note": "optional"}',
  rollback: 'Return the target to its point-in-time marker. Payload: {"by": "you@contoso.com", "note": "optional"}',
  retry: 'Run the failed step again. Payload: {"by": "you@contoso.com", "note": "optional"}',
};

const MESSAGES = {
  'sign-off': [signOffSignal, signOffUpdate],
  rollback: [rollbackSignal, rollbackUpdate],
  retry: [retrySignal, retryUpdate],
} as const;

export class DecisionDesk {
  private approvers: string[] = [];
  private pending: Decision | undefined;

  constructor(private readonly context: DecisionContext) {}

  setApprovers(approvers: string[]): void {
    this.approvers = [...approvers];
  }

  /** Waits durably (days if need be) for the next accepted decision. */
  async next(): Promise<Decision> {
    await condition(() => this.pending !== undefined);
    const decision = this.pending!;
    this.pending = undefined;
    return decision;
  }

  /** Installs the signal and update handlers of every decision; `answer` is what an accepted update returns. */
  install<T>(answer: () => T): void {
    for (const kind of Object.keys(MESSAGES) as DecisionKind[]) {
      const [signal, update] = MESSAGES[kind];
      const description = DESCRIPTIONS[kind];
      setHandler(
        signal,
        (input: DecisionInput) => {
          const verdict = this.judge(kind, input, 'signal');
          if (verdict.decision) return this.accept(verdict.decision);
          const by = typeof (input as { by?: unknown } | undefined)?.by === 'string' ? String((input as { by: string }).by).slice(0, 128) : '(unknown)';
          this.context.record(
            { kind, by, at: new Date().toISOString(), via: 'signal', accepted: false, reason: verdict.reason },
            { level: 'warn', message: `${kind} signal from ${by} ignored: ${verdict.reason}` },
          );
        },
        { description },
      );
      setHandler(
        update,
        (input: DecisionInput) => {
          const verdict = this.judge(kind, input, 'update');
          if (!verdict.decision) throw ApplicationFailure.nonRetryable(verdict.reason ?? 'refused', 'DecisionRefused');
          this.accept(verdict.decision);
          return answer() as never;
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

  private judge(kind: DecisionKind, input: unknown, via: Decision['via']): { decision?: Decision; reason?: string } {
    const at = new Date().toISOString();
    const parsed = parseDecisionInput(input);
    if (typeof parsed === 'string') return { reason: parsed };
    if (this.pending) return { reason: `a ${this.pending.kind} decision by ${this.pending.by} is already being acted on` };
    const refusal = decisionRefusal(kind, this.context.phase(), { operationId: this.context.operationId, failedStep: this.context.failedStep() });
    if (refusal) return { reason: refusal };
    if (this.approvers.length && !this.approvers.includes(parsed.by)) {
      return { reason: `${parsed.by} is not an approver of ${this.context.environment()}; approvers: ${this.approvers.join(', ')}` };
    }
    return { decision: { kind, by: parsed.by, note: parsed.note, at, via, accepted: true } };
  }

  private accept(decision: Decision): void {
    this.pending = decision;
    this.context.record(decision, {
      level: 'info',
      message: `${decision.kind} accepted from ${decision.by} (${decision.via})${decision.note ? `: ${decision.note}` : ''}`,
    });
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
