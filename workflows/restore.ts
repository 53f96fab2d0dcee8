import { housekeepingActivities, stepActivities } from './activity-proxies';
import { precheckAndLease, runMovement } from './movement';
import { Runbook } from './runbook';
import type { OperationResult, RestoreInput, StepName } from './types';

export const RESTORE_STEPS: StepName[] = ['PRECHECK', 'MARKER', 'RESTORE', 'NOTIFY', 'SWAP'];

/**
 * Point-in-time restore of a sandbox to its own earlier state. The target's present state is
 * marked first, so the restore itself can be rolled back; the data restored is the target's
 * own, so there is nothing to scrub or reconfigure.
 */
export async function restoreDatabase(input: RestoreInput): Promise<OperationResult> {
  const runbook = new Runbook({ kind: 'restore', target: input.target, requestedBy: input.requestedBy, onFailure: input.onFailure, steps: RESTORE_STEPS });
  const steps = stepActivities(input.tuning);
  const housekeeping = housekeepingActivities(input.tuning);
  const op = { operationId: runbook.operationId, target: input.target };
  runbook.log('info', `Restore of ${input.target} to ${input.to} requested by ${input.requestedBy}`);

  const lease = await precheckAndLease(runbook, input.target, housekeeping, () => steps.precheckRestore({ ...op, to: input.to }));
  return runMovement(
    {
      runbook,
      target: input.target,
      activities: steps,
      housekeeping,
      autoSignOff: input.autoSignOff,
      marker: () => steps.markPointInTime(op),
      prepare: [['RESTORE', () => steps.restorePointInTime({ ...op, to: input.to })]],
      notify: () => steps.notifyUsers(op),
      swap: () => steps.swapIn(op),
    },
    lease,
  );
}
