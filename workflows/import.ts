import { housekeepingActivities, stepActivities } from './activity-proxies';
import { precheckAndLease, runMovement } from './movement';
import { Runbook } from './runbook';
import type { ImportInput, OperationResult, StepName } from './types';

export const IMPORT_STEPS: StepName[] = ['PRECHECK', 'MARKER', 'RESTORE', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'];

/**
 * Import a backup into a sandbox, then the activities the seeds list for an import (mail
 * reconfigured or left disabled, batch servers back in their groups, help reconnected,
 * batch jobs to Waiting, users re-enabled), as configured in the catalog. The file is
 * checked (checksums, manifest, versions) in PRECHECK, before anything is touched.
 */
export async function importDatabase(input: ImportInput): Promise<OperationResult> {
  const runbook = new Runbook({ kind: 'import', target: input.target, requestedBy: input.requestedBy, onFailure: input.onFailure, steps: IMPORT_STEPS });
  const steps = stepActivities(input.tuning);
  const housekeeping = housekeepingActivities(input.tuning);
  const op = { operationId: runbook.operationId, target: input.target };
  runbook.log('info', `Import of ${input.input} into ${input.target} requested by ${input.requestedBy}`);

  const lease = await precheckAndLease(runbook, input.target, housekeeping, () => steps.precheckImport({ ...op, input: input.input }));
  return runMovement(
    {
      runbook,
      target: input.target,
      activities: steps,
      housekeeping,
      autoSignOff: input.autoSignOff,
      marker: () => steps.markPointInTime(op),
      prepare: [
        ['RESTORE', () => steps.importBackup({ ...op, input: input.input })],
        ['SYNC', () => steps.syncSchema(op)],
        ['POSTCONFIG', () => steps.postConfigure(op)],
        ['VERIFY', () => steps.verifyStaging({ ...op, policy: 'export', postConfigured: true })],
      ],
      notify: () => steps.notifyUsers(op),
      swap: () => steps.swapIn(op),
    },
    lease,
  );
}
