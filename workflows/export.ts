import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { housekeepingActivities, stepActivities } from './activity-proxies';
import { closeOperation, compensate, precheckOnly } from './movement';
import { RollbackRequested, Runbook } from './runbook';
import type { ExportInput, OperationResult, StepName } from './types';

export const EXPORT_STEPS: StepName[] = ['PRECHECK', 'COPY', 'SCRUB', 'VERIFY', 'PACKAGE'];

/**
 * Export a database backup with the sensitive, environment-specific elements removed (seeds:
 * Export). The source is only ever read: the copy, the scrub and the packaging happen on a
 * temporary copy, which is removed as soon as the backup is written, and whatever the
 * outcome. Rollback removes the backup this operation wrote. No environment is replaced, so
 * an export holds no environment lease.
 */
export async function exportDatabase(input: ExportInput): Promise<OperationResult> {
  const runbook = new Runbook({ kind: 'export', source: input.source, requestedBy: input.requestedBy, onFailure: input.onFailure, steps: EXPORT_STEPS });
  const steps = stepActivities(input.tuning);
  const housekeeping = housekeepingActivities(input.tuning);
  const op = { operationId: runbook.operationId, source: input.source, target: input.source };
  const own = { operationId: runbook.operationId, source: input.source, output: input.output };
  runbook.rollbackMeans = `Remove the temporary copy and any backup this operation wrote; ${input.source} was only ever read.`;
  runbook.log('info', `Export of ${input.source} to ${input.output} requested by ${input.requestedBy}`);

  await precheckOnly(runbook, () => steps.precheckExport(own));
  const discard = () => compensate(runbook, () => housekeeping.discardExport(own), `${input.source} was only ever read`);
  try {
    await runbook.runStep('COPY', () => steps.copyToStaging(op));
    await runbook.runStep('SCRUB', () => steps.scrubStaging({ ...op, policy: 'export' }));
    await runbook.runStep('VERIFY', () => steps.verifyStaging({ ...op, policy: 'export', postConfigured: false }));
    await runbook.runStep('PACKAGE', () => steps.packageBackup(own));
  } catch (err) {
    if (err instanceof RollbackRequested) {
      await CancellationScope.nonCancellable(discard);
      return CancellationScope.nonCancellable(async () => closeOperation(runbook, await runbook.awaitDecision(), 'rolled-back', async () => {}));
    }
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        await housekeeping.discardExport(own);
        runbook.log('warn', 'Cancelled: the temporary copy and any partial backup were removed', 'CANCEL');
        runbook.setPhase('CANCELLED');
      });
    }
    throw err;
  }
  return CancellationScope.nonCancellable(async () => {
    runbook.setPhase('AWAITING_SIGNOFF');
    runbook.log('info', `${input.output} is written. Sign off to close the export (dbmove sign-off ${runbook.operationId}), or roll back to remove the file.`);
    const decision = input.autoSignOff ? undefined : await runbook.awaitDecision();
    if (decision?.kind === 'rollback') {
      await discard();
      return closeOperation(runbook, await runbook.awaitDecision(), 'rolled-back', async () => {});
    }
    return closeOperation(runbook, decision ?? { kind: 'sign-off', by: 'auto-sign-off', at: new Date().toISOString(), via: 'update', accepted: true }, 'completed', async () => {});
  });
}
