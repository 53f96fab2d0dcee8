import type { ActivityDeps } from './runtime';
import { createCopyActivities } from './steps/copy';
import { createHousekeepingActivities } from './steps/housekeeping';
import { createLeaseHolderActivities } from './steps/lease-holder';
import { createMarkerActivities } from './steps/marker';
import { createNotifyActivities } from './steps/notify';
import { createPackageActivities } from './steps/package';
import { createPostconfigActivities } from './steps/postconfig';
import { createPrecheckExportActivities } from './steps/precheck/export';
import { createPrecheckImportActivities } from './steps/precheck/import';
import { createPrecheckRefreshActivities } from './steps/precheck/refresh';
import { createPrecheckRestoreActivities } from './steps/precheck/restore';
import { createRestoreActivities } from './steps/restore';
import { createRollbackActivities } from './steps/rollback';
import { createScrubActivities } from './steps/scrub';
import { createSwapActivities } from './steps/swap';
import { createSyncActivities } from './steps/sync';
import { createVerifyActivities } from './steps/verify';

/**
 * Every activity the worker registers, one file per step, built from injected dependencies
 * so that tests and the worker decide what a catalog, an engine, a secret and a fault plan are.
 * The names are part of every recorded history: renaming one breaks the replay of operations
 * already running.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrecheckRefreshActivities(deps),
    ...createPrecheckExportActivities(deps),
    ...createPrecheckImportActivities(deps),
    ...createPrecheckRestoreActivities(deps),
    ...createLeaseHolderActivities(),
    ...createMarkerActivities(deps),
    ...createCopyActivities(deps),
    ...createRestoreActivities(deps),
    ...createScrubActivities(deps),
    ...createSyncActivities(deps),
    ...createPostconfigActivities(deps),
    ...createVerifyActivities(deps),
    ...createPackageActivities(deps),
    ...createNotifyActivities(deps),
    ...createSwapActivities(deps),
    ...createRollbackActivities(deps),
    ...createHousekeepingActivities(deps),
  };
}

export type { ActivityDeps } from './runtime';
