import type { DecisionKind, Phase, StepName } from './types';

/**
 * The state machine of every dbmove operation, in one place: each phase, where it may lead,
 * and which decisions it accepts. The Runbook moves an operation only along these edges, and
 * the decision handlers accept only what a phase lists. The client reads the same table to
 * know where an operation rests.
 *
 *   PRECHECK ─► step ─► step ─► … ─► last step ─► AWAITING_SIGNOFF ─sign-off─► COMPLETED
 *      │          │ (fails after retries)              │
 *      ▼          ▼                                    └─rollback─┐
 *   REFUSED     FAILED ─retry─► the same step again               ▼
 *                  └───rollback──────────────────────────► ROLLING_BACK ─► ROLLED_BACK ─sign-off─► (closed)
 *                                                              │   ▲
 *   any step before SWAP ─cancel─► CANCELLED                   ▼   │ retry
 *                                                        ROLLBACK_FAILED
 *
 * The steps themselves and their order come from each operation's recipe
 * (`workflows/operations/`). Below, `next step` is the recipe's next step (AWAITING_SIGNOFF
 * after its last), and `same step` the step that failed.
 */
export type Destination = Phase | 'next step' | 'same step';

export interface PhaseRule {
  /** `step`: work is running; `waiting`: a person decides; `compensating`: rollback runs; `final`: closed. */
  kind: 'step' | 'waiting' | 'compensating' | 'final';
  /** Where the operation may go from here. */
  to: readonly Destination[];
  /** Decisions accepted here (as a signal or an update). */
  accepts: readonly DecisionKind[];
}

const STEP: PhaseRule = { kind: 'step', to: ['next step', 'FAILED', 'CANCELLED'], accepts: [] };

export const PHASES: Readonly<Record<Phase, PhaseRule>> = {
  PRECHECK: { kind: 'step', to: ['next step', 'REFUSED', 'CANCELLED'], accepts: [] },
  VALIDATE: STEP,
  MARKER: STEP,
  COPY: STEP,
  RESTORE: STEP,
  SCRUB: STEP,
  SYNC: STEP,
  POSTCONFIG: STEP,
  VERIFY: STEP,
  PACKAGE: STEP,
  NOTIFY: STEP,
  // Past the point of no return: the target may already be replaced, so no cancel.
  SWAP: { kind: 'step', to: ['next step', 'FAILED'], accepts: [] },
  FAILED: { kind: 'waiting', to: ['same step', 'ROLLING_BACK', 'CANCELLED'], accepts: ['retry', 'rollback'] },
  AWAITING_SIGNOFF: { kind: 'waiting', to: ['COMPLETED', 'ROLLING_BACK'], accepts: ['sign-off', 'rollback'] },
  ROLLING_BACK: { kind: 'compensating', to: ['ROLLED_BACK', 'ROLLBACK_FAILED'], accepts: [] },
  ROLLBACK_FAILED: { kind: 'waiting', to: ['ROLLING_BACK'], accepts: ['retry'] },
  // Sign-off closes a rolled-back operation; its phase stays ROLLED_BACK.
  ROLLED_BACK: { kind: 'waiting', to: ['ROLLED_BACK'], accepts: ['sign-off'] },
  COMPLETED: { kind: 'final', to: [], accepts: [] },
  REFUSED: { kind: 'final', to: [], accepts: [] },
  CANCELLED: { kind: 'final', to: [], accepts: [] },
};

/** Phases in which an operation waits for a person, or has ended: where a follower stops. */
export const RESTING_PHASES: readonly Phase[] = (Object.keys(PHASES) as Phase[]).filter((p) => PHASES[p].kind === 'waiting' || PHASES[p].kind === 'final');

/** Whether `from` may move to `to`, given what comes next in the recipe and the step that failed. */
export function mayMove(from: Phase, to: Phase, context: { next?: Phase; failedStep?: StepName }): boolean {
  return PHASES[from].to.some((d) => d === to || (d === 'next step' && to === context.next) || (d === 'same step' && to === context.failedStep));
}

/**
 * Why `kind` is not accepted in `phase`, in words that say what to do instead; undefined when
 * it is accepted. The same words reach a refused update's caller and a refused signal's record.
 */
export function decisionRefusal(kind: DecisionKind, phase: Phase, context: { operationId: string; failedStep?: string }): string | undefined {
  if (PHASES[phase].accepts.includes(kind)) return undefined;
  const id = context.operationId;
  switch (kind) {
    case 'sign-off':
      if (phase === 'COMPLETED') return 'the operation is already signed off';
      if (phase === 'FAILED')
        return `the operation failed in ${context.failedStep}; retry it (dbmove retry ${id}) or roll it back (dbmove rollback ${id}) before signing off`;
      if (phase === 'ROLLBACK_FAILED') return `the rollback failed; retry it (dbmove retry ${id}) before signing off`;
      return `the operation is in ${phase}; sign-off is accepted once it reaches AWAITING_SIGNOFF or ROLLED_BACK`;
    case 'rollback':
      if (phase === 'ROLLED_BACK') return 'the operation is already rolled back; sign it off to close it';
      if (phase === 'COMPLETED') return 'the operation is signed off and closed; start a point-in-time restore instead (dbmove restore)';
      if (phase === 'ROLLBACK_FAILED') return `the rollback failed; retry it (dbmove retry ${id})`;
      return `the operation is in ${phase}; rollback is accepted in FAILED or AWAITING_SIGNOFF (cancel the operation to stop a running step)`;
    case 'retry':
      return `nothing has failed (the operation is in ${phase}); retry is accepted in FAILED or ROLLBACK_FAILED`;
  }
}
