import type { Activities } from '../activity-proxies';
import type { OperationKind, OperationOptions, PrecheckOutcome, StepName, StepOutcome } from '../types';

/**
 * An operation, said as a recipe: its input, its PRECHECK, and its steps in order. The
 * executor (`workflows/operation.ts`) runs every recipe the same way: the state machine of
 * `phases.ts`, the failure gate, rollback, cancellation and sign-off.
 *
 * A recipe either replaces its target (refresh, import, restore: a lease on the target from
 * PRECHECK to sign-off, a MARKER to return to, and a SWAP after which the target holds the new
 * data) or produces a backup from its source (export: it only reads, and rollback removes what
 * it wrote).
 */
export interface RecipeStep<I> {
  name: StepName;
  run: (activities: Activities, input: I, operationId: string) => Promise<StepOutcome>;
}

/** What an operation leaves behind when it succeeds, which decides how it is held, undone and closed. */
export type Effect<I> =
  /** The route's target is replaced at SWAP. */
  | { kind: 'replace' }
  /** A backup is written at `location`; nothing is replaced. `discard` removes all the operation wrote. */
  | { kind: 'backup'; location: (input: I) => string; discard: (housekeeping: Activities, input: I, operationId: string) => Promise<StepOutcome> };

export interface Recipe<I extends OperationOptions> {
  kind: OperationKind;
  effect: Effect<I>;
  /** Source and target environment names, as the status shows them. */
  route: (input: I) => { source?: string; target?: string };
  /** The first line of the runbook log. */
  describe: (input: I) => string;
  precheck: (activities: Activities, input: I, operationId: string) => Promise<PrecheckOutcome>;
  /** The steps after PRECHECK, in the order they run. */
  steps: readonly RecipeStep<I>[];
}

/** Every step of a recipe, PRECHECK first: the status's step list, derived from the recipe itself. */
export function stepNames<I extends OperationOptions>(recipe: Recipe<I>): StepName[] {
  return ['PRECHECK', ...recipe.steps.map((s) => s.name)];
}

export function step<I>(name: StepName, run: RecipeStep<I>['run']): RecipeStep<I> {
  return { name, run };
}
