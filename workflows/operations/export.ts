import { runOperation } from '../operation';
import type { ExportInput, OperationResult } from '../types';
import { step, type Recipe } from './recipe';

/**
 * Export a database backup with the sensitive, environment-specific elements removed (seeds:
 * Export). The source is only ever read: the copy, the scrub and the packaging happen on a
 * temporary copy, which is removed as soon as the backup is written, and whatever the outcome.
 * Rollback removes the backup this operation wrote. No environment is replaced, so an export
 * holds no environment lease.
 */
export const exportRecipe: Recipe<ExportInput> = {
  kind: 'export',
  effect: {
    kind: 'backup',
    location: ({ output }) => output,
    discard: (housekeeping, { source, output }, operationId) => housekeeping.discardExport({ operationId, source, output }),
  },
  route: ({ source }) => ({ source }),
  describe: (input) => `Export of ${input.source} to ${input.output} requested by ${input.requestedBy}`,
  precheck: (a, { source, output }, operationId) => a.precheckExport({ operationId, source, output }),
  // The temporary copy is kept under the source's name: nothing of another environment is touched.
  steps: [
    step('COPY', (a, { source }, operationId) => a.copyToStaging({ operationId, source, target: source })),
    step('SCRUB', (a, { source }, operationId) => a.scrubStaging({ operationId, target: source, policy: 'export' })),
    step('VERIFY', (a, { source }, operationId) => a.verifyStaging({ operationId, target: source, policy: 'export', postConfigured: false })),
    step('PACKAGE', (a, { source, output }, operationId) => a.packageBackup({ operationId, source, output })),
  ],
};

export async function exportDatabase(input: ExportInput): Promise<OperationResult> {
  return runOperation(exportRecipe, input);
}
