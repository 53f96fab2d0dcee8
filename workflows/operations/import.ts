import { runOperation } from '../operation';
import type { ImportInput, OperationResult } from '../types';
import { step, type Recipe } from './recipe';

/**
 * Import a backup into a sandbox, then the activities the seeds list for an import (mail
 * reconfigured or left disabled, batch servers back in their groups, help reconnected,
 * batch jobs to Waiting, users re-enabled), as configured in the catalog. The file is
 * checked (checksums, manifest, versions) in PRECHECK, before anything is touched.
 */
export const importRecipe: Recipe<ImportInput> = {
  kind: 'import',
  effect: { kind: 'replace' },
  route: ({ target }) => ({ target }),
  describe: (input) => `Import of ${input.input} into ${input.target} requested by ${input.requestedBy}`,
  precheck: (a, { target, input }, operationId) => a.precheckImport({ operationId, target, input }),
  steps: [
    step('MARKER', (a, { target }, operationId) => a.markPointInTime({ operationId, target })),
    step('RESTORE', (a, { target, input }, operationId) => a.importBackup({ operationId, target, input })),
    step('SYNC', (a, { target }, operationId) => a.syncSchema({ operationId, target })),
    step('POSTCONFIG', (a, { target }, operationId) => a.postConfigure({ operationId, target })),
    step('VERIFY', (a, { target }, operationId) => a.verifyStaging({ operationId, target, policy: 'export', postConfigured: true })),
    step('NOTIFY', (a, { target }, operationId) => a.notifyUsers({ operationId, target })),
    step('SWAP', (a, { target }, operationId) => a.swapIn({ operationId, target })),
  ],
};

export async function importDatabase(input: ImportInput): Promise<OperationResult> {
  return runOperation(importRecipe, input);
}
