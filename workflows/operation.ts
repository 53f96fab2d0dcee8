import { allHandlersFinished, ApplicationFailure, CancellationScope, CancelledFailure, condition, isCancellation, patched, sleep } from '@temporalio/workflow';
import { isRefusal } from '../common/checks';
import { housekeepingActivities, stepActivities, type Activities } from './activity-proxies';
import { describeFailure, RollbackRequested } from './failure';
import { acquireLease, releaseLease, type Lease } from './lease';
import type { Recipe } from './operations/recipe';
import { stepNames } from './operations/recipe';
import { Runbook } from './runbook';
import type { CheckResult, Decision, Marker, OperationOptions, OperationResult, RestoredState, StepOutcome, TargetWritesSeen, Tuning } from './types';

/**
 * Runs any recipe through the state machine of `phases.ts`:
 *
 *   PRECHECK ─► the recipe's steps ─► AWAITING_SIGNOFF ─► COMPLETED
 *      │              │                     └─ rollback ─► ROLLING_BACK ─► ROLLED_BACK ─► (sign-off)
 *   REFUSED    FAILED ─► retry | rollback
 *
 * For a recipe that replaces its target: before SWAP the live target is never touched, so
 * rollback drops staging and cancellation cleans up; SWAP and everything after it run in a
 * non-cancellable scope, because once the target has been replaced the way back is a rollback
 * to the marker, never a half-cancelled swap. For a recipe that writes a backup, rollback and
 * cancellation remove what it wrote; the source was only ever read.
 */
export async function runOperation<I extends OperationOptions & { source?: string; target?: string }>(recipe: Recipe<I>, input: I): Promise<OperationResult> {
  const route = recipe.route(input);
  const runbook = new Runbook({ kind: recipe.kind, ...route, requestedBy: input.requestedBy, onFailure: input.onFailure, steps: stepNames(recipe) });
  // Operations started on this code wait for a cancelled step to stop before cleaning up, and
  // withdraw a downtime notice on cancel; histories recorded before keep their old order.
  const cancelWaitsForStep = patched('cancel-waits-for-step');
  let activities = stepActivities(input.tuning, cancelWaitsForStep);
  const housekeeping = housekeepingActivities(input.tuning);
  const operationId = runbook.operationId;
  const effect = effectOf(recipe, input, runbook, () => activities, housekeeping, cancelWaitsForStep);
  runbook.log('info', recipe.describe(input));

  // Where a cancel request finds the operation: honoured before SWAP, refused with the reason from SWAP on.
  let stage: 'steps' | 'swap' | 'done' = 'steps';
  CancellationScope.current().cancelRequested.catch(() => {
    if (stage === 'steps') {
      runbook.setCancelRequested();
      return;
    }
    const reason =
      stage === 'swap'
        ? 'SWAP was under way: the target may already be replaced'
        : recipe.effect.kind === 'backup'
          ? 'the backup is already written'
          : 'the target was already swapped';
    runbook.noteDecision({ kind: 'cancel', by: '(cancel request)', at: new Date().toISOString(), via: 'signal', accepted: false, reason });
    const what =
      stage === 'swap'
        ? `SWAP of ${route.target} was under way. Once it ends, roll back instead`
        : recipe.effect.kind === 'backup'
          ? `the backup is already written. Roll back to remove it`
          : `${route.target} was already swapped. Roll back instead`;
    runbook.log('warn', `Cancellation refused: ${what}: dbmove rollback ${operationId}`, 'CANCEL');
  });

  const cancelled = async (err: unknown): Promise<never> => {
    await CancellationScope.nonCancellable(async () => {
      await effect.cancelled();
      runbook.setHoldings([]);
      await effect.releaseLease();
      runbook.moveTo('CANCELLED');
    });
    // A step that timed out while the cancel waited for it still ends the operation as cancelled.
    throw isCancellation(err) ? err : new CancelledFailure(`Cancelled in ${runbook.status.cancelled?.phase ?? 'a step'}`);
  };

  try {
    const fromCatalog = await precheck(runbook, effect, () => recipe.precheck(activities, input, operationId));
    // The environment's own timeouts (catalog, via PRECHECK); the operation's tuning wins.
    if (fromCatalog) activities = stepActivities({ ...fromCatalog, ...input.tuning }, cancelWaitsForStep);
  } catch (err) {
    if ((isCancellation(err) || CancellationScope.current().consideredCancelled) && cancelWaitsForStep) await cancelled(err);
    throw err;
  }

  const close = async (decision: Decision, outcome: OperationResult['outcome']): Promise<OperationResult> => {
    runbook.setSignedOff(decision);
    await effect.closed();
    runbook.setHoldings([]);
    runbook.moveTo(outcome === 'completed' ? 'COMPLETED' : 'ROLLED_BACK');
    await condition(allHandlersFinished);
    const s = runbook.status;
    return {
      operationId,
      kind: s.kind,
      outcome,
      phase: s.phase,
      signedOffBy: decision.by,
      unavailableWindowMs: s.unavailableWindowMs,
      applicationUnavailableMs: s.applicationUnavailableMs,
      ...(s.restored && outcome === 'completed' ? { restored: s.restored } : {}),
      steps: s.steps,
    };
  };

  const rollBack = async (): Promise<OperationResult> => {
    await runbook.compensate(effect.undo, effect.safeWhileUndoing);
    return close(await runbook.awaitDecision(), 'rolled-back');
  };

  try {
    for (const { name, run } of recipe.steps) {
      if (name === 'SWAP') {
        stage = 'swap';
        await CancellationScope.nonCancellable(async () => {
          runbook.setRollbackMeans(
            `Return ${route.target} to its restore point of ${runbook.status.marker?.at} (if the swap happened), or drop the staging copy (if not).`,
          );
          const swap = (await runbook.runStep('SWAP', () => run(activities, input, operationId))) as StepOutcome & {
            unavailableWindowMs: number;
            applicationUnavailableMs?: number;
          };
          stage = 'done';
          runbook.setUnavailableWindow(swap.unavailableWindowMs);
          runbook.setApplicationUnavailable(swap.applicationUnavailableMs);
          const writes = swap.details?.targetWrites as TargetWritesSeen | undefined;
          if (writes) runbook.setTargetWrites(writes);
          runbook.setRollbackMeans(`Restore ${route.target} to its restore point of ${runbook.status.marker?.at}, the state before this operation.`);
        });
        continue;
      }
      const outcome = await runbook.runStep(name, () => run(activities, input, operationId));
      if (name === 'RESTORE' && outcome.details?.restored) runbook.setRestored(outcome.details.restored as RestoredState);
      if (name === 'MARKER') {
        runbook.setMarker((outcome as StepOutcome & { marker: Marker }).marker);
        runbook.setRollbackMeans(`Drop the staging copy; ${route.target} was never touched and stays as it is.`);
      }
      if (name === 'NOTIFY') {
        // The broadcast told the target's users when the downtime starts: wait that long, durably.
        const leadTimeMs = (outcome as StepOutcome & { leadTimeMs: number }).leadTimeMs;
        if (leadTimeMs > 0) {
          runbook.log('info', `Waiting ${Math.round(leadTimeMs / 1000)} s (the broadcast lead time) before SWAP`, 'NOTIFY');
          await sleep(leadTimeMs);
        }
      }
    }
  } catch (err) {
    if (err instanceof RollbackRequested) return CancellationScope.nonCancellable(rollBack);
    if (isCancellation(err) || (cancelWaitsForStep && CancellationScope.current().consideredCancelled)) await cancelled(err);
    throw err;
  }

  stage = 'done';
  return CancellationScope.nonCancellable(async () => {
    runbook.moveTo('AWAITING_SIGNOFF');
    runbook.log('info', effect.ready());
    if (input.autoSignOff) {
      const auto: Decision = {
        kind: 'sign-off',
        by: 'auto-sign-off',
        at: new Date().toISOString(),
        via: 'update',
        accepted: true,
        note: 'VERIFY passed and SWAP completed; signed off automatically as requested',
      };
      runbook.noteDecision(auto);
      runbook.log('info', 'Signed off automatically (--auto-sign-off) after VERIFY and SWAP', 'SIGNOFF');
      return close(auto, 'completed');
    }
    const decision = await runbook.awaitDecision();
    if (decision.kind === 'rollback') return rollBack();
    return close(decision, 'completed');
  });
}

/**
 * PRECHECK: the activity reads the catalog and the live databases; the workflow adds the one
 * check only Temporal can answer (does another operation hold the target?). A refusal ends the
 * operation as REFUSED with every failed check and its fix; nothing was touched.
 */
async function precheck(
  runbook: Runbook,
  effect: Effect,
  run: () => Promise<{ checks: CheckResult[]; activityMs: number; approvers: string[]; notes?: string[]; tuning?: Tuning }>,
): Promise<Tuning | undefined> {
  const started = runbook.beginStep('PRECHECK');
  let checks: CheckResult[];
  let activityMs = 0;
  let tuning: Tuning | undefined;
  try {
    const outcome = await run();
    checks = outcome.checks;
    activityMs = outcome.activityMs;
    tuning = outcome.tuning;
    for (const note of outcome.notes ?? []) runbook.log('info', note, 'PRECHECK');
    runbook.setApprovers(outcome.approvers);
  } catch (err) {
    if (isCancellation(err) || CancellationScope.current().consideredCancelled) throw err;
    checks = [
      {
        name: 'precheck',
        ok: false,
        message: `The precheck could not run: ${describeFailure(err).message}`,
        fix: 'Correct the cause and start the operation again',
      },
    ];
  }
  checks.push(...(await effect.hold()));
  const refusals = checks.filter(isRefusal);
  if (refusals.length) await effect.releaseLease();
  runbook.finishPrecheck(started, checks, activityMs, refusals);
  if (refusals.length) {
    await condition(allHandlersFinished);
    throw ApplicationFailure.create({
      message: `Refused: ${refusals.map((c) => `${c.message} (fix: ${c.fix})`).join('; ')}`,
      type: 'OperationRefused',
      nonRetryable: true,
      details: [refusals],
    });
  }
  return tuning;
}

/** How an operation is held, undone, cancelled and closed, by what it leaves behind. */
interface Effect {
  /** Takes what the operation needs exclusively until sign-off; returns the check that says so. */
  hold(): Promise<CheckResult[]>;
  releaseLease(): Promise<void>;
  /** Rollback's compensation, and what stays true while it is retried. */
  undo(): Promise<StepOutcome>;
  safeWhileUndoing: string;
  /** Cleans up after a cancel request. */
  cancelled(): Promise<void>;
  /** Housekeeping at sign-off. */
  closed(): Promise<void>;
  /** The log line on reaching AWAITING_SIGNOFF. */
  ready(): string;
}

function effectOf<I extends OperationOptions & { source?: string; target?: string }>(
  recipe: Recipe<I>,
  input: I,
  runbook: Runbook,
  stepActivitiesNow: () => Activities,
  housekeeping: Activities,
  cleanCancel: boolean,
): Effect {
  const operationId = runbook.operationId;
  const { source, target } = recipe.route(input);
  if (recipe.effect.kind === 'backup') {
    const { discard, location } = recipe.effect;
    runbook.setRollbackMeans(`Remove the temporary copy and any backup this operation wrote; ${source} was only ever read.`);
    return {
      hold: async () => [],
      releaseLease: async () => {},
      undo: () => discard(housekeeping, input, operationId),
      safeWhileUndoing: `${source} was only ever read`,
      cancelled: async () => {
        await discard(housekeeping, input, operationId);
        runbook.log('warn', 'Cancelled: the temporary copy and any partial backup were removed', 'CANCEL');
      },
      closed: async () => {},
      ready: () => `${location(input)} is written. Sign off to close the export (dbmove sign-off ${operationId}), or roll back to remove the file.`,
    };
  }
  const environment = target!;
  const ref = { operationId, target: environment };
  let lease: Lease | undefined;
  return {
    hold: async () => {
      const acquired = await acquireLease({ environment, operationId, kind: recipe.kind, since: new Date().toISOString() });
      if (acquired.acquired) {
        lease = acquired.handle;
        return [{ name: 'no-open-operation', ok: true, message: `No other operation holds ${environment}; this one does until sign-off` }];
      }
      const holder = await housekeeping.describeLease({ environment });
      return [
        {
          name: 'no-open-operation',
          ok: false,
          message: holder
            ? `${environment} has an operation that is not signed off: ${holder.operationId} (${holder.kind}, since ${holder.since}${holder.phase ? `, now ${holder.phase}` : ''})`
            : `${environment} is held by another operation that is not signed off`,
          fix: holder
            ? `sign it off (dbmove sign-off ${holder.operationId}) or roll it back (dbmove rollback ${holder.operationId}) first`
            : 'sign off or roll back the open operation first (dbmove list)',
        },
      ];
    },
    releaseLease: async () => {
      if (lease) await releaseLease(lease, operationId);
    },
    undo: async () => {
      const marker = runbook.status.marker;
      const outcome = await stepActivitiesNow().rollBack({ ...ref, marker });
      runbook.setRolledBack({
        restoredTo: outcome.details?.restored ? marker?.at : undefined,
        unavailableWindowMs: outcome.details?.unavailableWindowMs as number | undefined,
        applicationUnavailableMs: outcome.details?.applicationUnavailableMs as number | undefined,
      });
      return outcome;
    },
    safeWhileUndoing: `${environment} still has a usable database`,
    cancelled: async () => {
      runbook.log('warn', `Cancelled before SWAP: removing staging and restore points; ${environment} was not touched`, 'CANCEL');
      // NOTIFY wrote a downtime notice into the live target: it goes with the operation.
      if (cleanCancel && runbook.status.steps.some((s) => s.name === 'NOTIFY' && s.status !== 'pending')) {
        const undone = await housekeeping.rollBack({ ...ref, marker: runbook.status.marker });
        for (const note of undone.notes) runbook.log('info', note, 'CANCEL');
      }
      const released = await housekeeping.releaseHoldings({ ...ref, keepRestorePoint: false });
      runbook.log('info', released.summary, 'CANCEL');
    },
    closed: async () => {
      const released = await housekeeping.releaseHoldings({ ...ref, keepRestorePoint: true });
      runbook.log('info', released.summary, 'SIGNOFF');
      if (lease) await releaseLease(lease, operationId);
    },
    ready: () =>
      `${environment} is live with ${runbook.status.restored ? `its state at ${runbook.status.restored.stateAt}` : 'the new data'}. Sign off to close the operation (dbmove sign-off ${operationId}), or roll back to ${runbook.status.marker?.at}.`,
  };
}
