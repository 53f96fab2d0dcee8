import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowHandle,
  condition,
  isCancellation,
  sleep,
} from '@temporalio/workflow';
import { acquireLease, environmentLease, releaseLease } from './lease';
import { describeFailure, RollbackRequested, Runbook } from './runbook';
import type { Activities } from './activity-proxies';
import type { CheckResult, Decision, Marker, OperationResult, PrecheckOutcome, StepName, StepOutcome } from './types';
import { isRefusal } from '../common/checks';

/**
 * The shape every operation that replaces a target database shares (refresh, import,
 * point-in-time restore):
 *
 *   PRECHECK ─► MARKER ─► prepare steps on staging ─► SWAP ─► AWAITING_SIGNOFF ─► COMPLETED
 *       │                                                 │            └─ rollback ─► ROLLED_BACK
 *    REFUSED         any step fails ─► FAILED ─► retry | rollback ─► ROLLING_BACK ─► ROLLED_BACK
 *
 * Before SWAP the live target is never touched: rollback drops staging and cancellation
 * cleans up. SWAP and everything after it run in a non-cancellable scope: once the target
 * has been replaced, the way back is a rollback to the marker, never a half-cancelled swap.
 */

type Lease = ChildWorkflowHandle<typeof environmentLease>;

export interface MovementPlan {
  runbook: Runbook;
  target: string;
  activities: Activities;
  housekeeping: Activities;
  autoSignOff?: boolean;
  marker: () => Promise<StepOutcome & { marker: Marker }>;
  prepare: [StepName, () => Promise<StepOutcome>][];
  /** Warns the target's users before SWAP; the workflow then waits the returned lead time. */
  notify?: () => Promise<StepOutcome & { leadTimeMs: number }>;
  swap: () => Promise<StepOutcome & { unavailableWindowMs: number }>;
}

/**
 * PRECHECK: the activity reads the catalog and the live databases; the workflow adds the one
 * check only Temporal can answer (does another operation hold the target?). A refusal ends
 * the operation as REFUSED with every failed check and its fix; nothing was touched.
 */
export async function precheckAndLease(
  runbook: Runbook,
  target: string,
  housekeeping: Activities,
  precheck: () => Promise<PrecheckOutcome>,
): Promise<Lease> {
  return (await runPrecheck(runbook, precheck, { target, housekeeping }))!;
}

/** PRECHECK for operations that replace nothing (export): the same refusal, no lease. */
export async function precheckOnly(runbook: Runbook, precheck: () => Promise<PrecheckOutcome>): Promise<void> {
  await runPrecheck(runbook, precheck, undefined);
}

async function runPrecheck(
  runbook: Runbook,
  precheck: () => Promise<PrecheckOutcome>,
  leasing: { target: string; housekeeping: Activities } | undefined,
): Promise<Lease | undefined> {
  const record = runbook.step('PRECHECK');
  const started = Date.now();
  Object.assign(record, { status: 'running', attempts: 1, startedAt: new Date(started).toISOString() });
  runbook.setPhase('PRECHECK');
  let checks: CheckResult[];
  let activityMs = 0;
  try {
    const outcome = await precheck();
    checks = outcome.checks;
    activityMs = outcome.activityMs;
    runbook.setApprovers(outcome.approvers);
  } catch (err) {
    if (isCancellation(err)) throw err;
    checks = [{ name: 'precheck', ok: false, message: `The precheck could not run: ${describeFailure(err).message}`, fix: 'Correct the cause and start the operation again' }];
  }
  let lease: Lease | undefined;
  if (leasing) {
    const { target, housekeeping } = leasing;
    const acquired = await acquireLease({ environment: target, operationId: runbook.operationId, kind: runbook.status.kind, since: new Date().toISOString() });
    if (!acquired.acquired) {
      const holder = await housekeeping.describeLease({ environment: target });
      checks.push({
        name: 'no-open-operation',
        ok: false,
        message: holder
          ? `${target} has an operation that is not signed off: ${holder.operationId} (${holder.kind}, since ${holder.since}${holder.phase ? `, now ${holder.phase}` : ''})`
          : `${target} is held by another operation that is not signed off`,
        fix: holder ? `sign it off (dbmove sign-off ${holder.operationId}) or roll it back (dbmove rollback ${holder.operationId}) first` : 'sign off or roll back the open operation first (dbmove list)',
      });
    } else {
      lease = acquired.handle;
      checks.push({ name: 'no-open-operation', ok: true, message: `No other operation holds ${target}; this one does until sign-off` });
    }
  }
  runbook.status.checks = checks;
  for (const check of checks.filter((c) => !c.ok && c.severity === 'warning')) runbook.log('warn', `${check.message}. ${check.fix ?? ''}`.trim(), 'PRECHECK');
  const failed = checks.filter(isRefusal);
  const ended = Date.now();
  Object.assign(record, { endedAt: new Date(ended).toISOString(), durationMs: ended - started, activityMs });
  if (failed.length) {
    if (lease) await releaseLease(lease, runbook.operationId);
    Object.assign(record, { status: 'failed', error: failed.map((c) => c.message).join('; ') });
    for (const check of failed) runbook.log('error', `Refused: ${check.message}. Fix: ${check.fix}`, 'PRECHECK');
    runbook.setPhase('REFUSED');
    await condition(allHandlersFinished);
    throw ApplicationFailure.create({
      message: `Refused: ${failed.map((c) => `${c.message} (fix: ${c.fix})`).join('; ')}`,
      type: 'OperationRefused',
      nonRetryable: true,
      details: [failed],
    });
  }
  Object.assign(record, { status: 'completed', summary: `${checks.filter((c) => c.ok).length} checks passed` });
  runbook.log('info', `PRECHECK: all ${checks.length} checks passed`, 'PRECHECK');
  return lease;
}

export async function runMovement(plan: MovementPlan, lease: Lease): Promise<OperationResult> {
  const { runbook, target, activities, housekeeping } = plan;
  const ref = { operationId: runbook.operationId, target };
  let swapped = false;

  CancellationScope.current().cancelRequested.catch(() => {
    if (!swapped) return;
    runbook.status.decisions.push({ kind: 'cancel', by: '(cancel request)', at: new Date().toISOString(), via: 'signal', accepted: false, reason: 'the target was already swapped' });
    runbook.log('warn', `Cancellation refused: ${target} was already swapped. Roll back instead: dbmove rollback ${runbook.operationId}`, 'CANCEL');
  });

  const close = (decision: Decision, outcome: OperationResult['outcome']) =>
    closeOperation(runbook, decision, outcome, async () => {
      const released = await housekeeping.releaseHoldings({ ...ref, keepRestorePoint: true });
      runbook.log('info', released.summary, 'SIGNOFF');
      await releaseLease(lease, runbook.operationId);
    });

  const rollBack = async (): Promise<OperationResult> => {
    await compensate(runbook, async () => {
      const outcome = await activities.rollBack({ ...ref, marker: runbook.status.marker });
      runbook.status.rolledBack = {
        at: new Date().toISOString(),
        restoredTo: outcome.details?.restored ? runbook.status.marker?.at : undefined,
        unavailableWindowMs: outcome.details?.unavailableWindowMs as number | undefined,
      };
      return outcome;
    }, `${target} still has a usable database`);
    const decision = await runbook.awaitDecision();
    return close(decision, 'rolled-back');
  };

  try {
    const marked = await runbook.runStep('MARKER', plan.marker);
    runbook.status.marker = marked.marker;
    runbook.rollbackMeans = `Drop the staging copy; ${target} was never touched and stays as it is.`;
    for (const [name, run] of plan.prepare) await runbook.runStep(name, run);
    if (plan.notify) {
      const notice = await runbook.runStep('NOTIFY', plan.notify);
      if (notice.leadTimeMs > 0) {
        runbook.log('info', `Waiting ${Math.round(notice.leadTimeMs / 1000)} s (the broadcast lead time) before SWAP`, 'NOTIFY');
        await sleep(notice.leadTimeMs);
      }
    }
    await CancellationScope.nonCancellable(async () => {
      const swap = await runbook.runStep('SWAP', async () => {
        runbook.rollbackMeans = `Return ${target} to its restore point of ${marked.marker.at} (if the swap happened), or drop the staging copy (if not).`;
        return plan.swap();
      });
      swapped = true;
      runbook.status.unavailableWindowMs = swap.unavailableWindowMs;
      runbook.rollbackMeans = `Restore ${target} to its restore point of ${marked.marker.at}, the state before this operation.`;
    });
  } catch (err) {
    if (err instanceof RollbackRequested) return CancellationScope.nonCancellable(rollBack);
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        runbook.log('warn', `Cancelled before SWAP: removing staging and restore points; ${target} was not touched`, 'CANCEL');
        const released = await housekeeping.releaseHoldings({ ...ref, keepRestorePoint: false });
        runbook.log('info', released.summary, 'CANCEL');
        runbook.status.holdings = [];
        await releaseLease(lease, runbook.operationId);
        runbook.setPhase('CANCELLED');
      });
    }
    throw err;
  }

  return CancellationScope.nonCancellable(async () => {
    runbook.setPhase('AWAITING_SIGNOFF');
    runbook.log('info', `${target} is live with the new data. Sign off to close the operation (dbmove sign-off ${runbook.operationId}), or roll back to ${runbook.status.marker?.at}.`);
    if (plan.autoSignOff) {
      const auto: Decision = { kind: 'sign-off', by: 'auto-sign-off', at: new Date().toISOString(), via: 'update', accepted: true, note: 'VERIFY passed and SWAP completed; signed off automatically as requested' };
      runbook.status.decisions.push(auto);
      runbook.log('info', 'Signed off automatically (--auto-sign-off) after VERIFY and SWAP', 'SIGNOFF');
      return close(auto, 'completed');
    }
    const decision = await runbook.awaitDecision();
    if (decision.kind === 'rollback') return rollBack();
    return close(decision, 'completed');
  });
}

/**
 * Runs compensation in ROLLING_BACK until it succeeds: a failure enters ROLLBACK_FAILED and
 * waits for `retry`. `safe` tells the administrator what is still true while it waits.
 */
export async function compensate(runbook: Runbook, undo: () => Promise<StepOutcome>, safe: string): Promise<void> {
  runbook.status.failure = undefined;
  for (;;) {
    runbook.setPhase('ROLLING_BACK');
    const started = Date.now();
    try {
      const outcome = await undo();
      runbook.status.holdings = outcome.holdings ?? runbook.status.holdings;
      runbook.status.rolledBack = { ...(runbook.status.rolledBack ?? { at: new Date().toISOString() }), durationMs: Date.now() - started };
      runbook.log('info', `ROLLBACK: ${outcome.summary}`, 'ROLLBACK');
      for (const note of outcome.notes) runbook.log('info', note, 'ROLLBACK');
      break;
    } catch (err) {
      const failure = describeFailure(err);
      runbook.status.failure = {
        step: 'ROLLBACK',
        message: failure.message,
        type: failure.type,
        at: new Date().toISOString(),
        attempts: 1,
        choices: { retry: `Run the rollback again once the cause is fixed (${safe}): dbmove retry ${runbook.operationId}` },
      };
      runbook.log('error', `Rollback failed: ${failure.message}`, 'ROLLBACK');
      runbook.setPhase('ROLLBACK_FAILED');
      await runbook.awaitDecision();
      runbook.status.failure = undefined;
    }
  }
  runbook.setPhase('ROLLED_BACK');
}

/** Sign-off: housekeeping, then the final phase and the result. */
export async function closeOperation(
  runbook: Runbook,
  decision: Decision,
  outcome: OperationResult['outcome'],
  housekeeping: () => Promise<void>,
): Promise<OperationResult> {
  runbook.status.signedOff = { by: decision.by, at: decision.at, note: decision.note };
  await housekeeping();
  runbook.status.holdings = [];
  runbook.setPhase(outcome === 'completed' ? 'COMPLETED' : 'ROLLED_BACK');
  await condition(allHandlersFinished);
  return {
    operationId: runbook.operationId,
    kind: runbook.status.kind,
    outcome,
    phase: runbook.status.phase,
    signedOffBy: decision.by,
    unavailableWindowMs: runbook.status.unavailableWindowMs,
    steps: runbook.status.steps,
  };
}
