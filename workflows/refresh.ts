import { Runbook } from './runbook';
import { housekeepingActivities, stepActivities } from './activity-proxies';
import { precheckAndLease, runMovement } from './movement';
import type { OperationResult, RefreshInput, StepName } from './types';

export const REFRESH_STEPS: StepName[] = ['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'];

/**
 * Refresh a sandbox from production (or from another sandbox), as Lifecycle Services does,
 * but with the target online until SWAP, every step visible, and a way back at each point.
 * The workflow input carries environment names only; activities resolve the catalog and
 * credentials themselves, so nothing secret ever enters the history.
 */
export async function refresh(input: RefreshInput): Promise<OperationResult> {
  const runbook = new Runbook({
    kind: 'refresh',
    source: input.source,
    target: input.target,
    requestedBy: input.requestedBy,
    onFailure: input.onFailure,
    steps: REFRESH_STEPS,
  });
  const steps = stepActivities(input.tuning);
  const housekeeping = housekeepingActivities(input.tuning);
  const op = { operationId: runbook.operationId, source: input.source, target: input.target };
  runbook.log('info', `Refresh of ${input.target} from ${input.source} requested by ${input.requestedBy}`);

  const lease = await precheckAndLease(runbook, input.target, housekeeping, () => steps.precheckRefresh(op));
  return runMovement(
    {
      runbook,
      target: input.target,
      activities: steps,
      housekeeping,
      autoSignOff: input.autoSignOff,
      marker: () => steps.markPointInTime(op),
      prepare: [
        ['COPY', () => steps.copyToStaging(op)],
        ['SCRUB', () => steps.scrubStaging({ ...op, policy: 'refresh' })],
        ['SYNC', () => steps.syncSchema(op)],
        ['POSTCONFIG', () => steps.postConfigure(op)],
        ['VERIFY', () => steps.verifyStaging({ ...op, policy: 'refresh', postConfigured: true })],
      ],
      notify: () => steps.notifyUsers(op),
      swap: () => steps.swapIn(op),
    },
    lease,
  );
}
