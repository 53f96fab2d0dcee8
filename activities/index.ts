import type { ActivityDeps } from './deps';
import { createFinishActivities } from './steps/finish';
import { createLeaseActivities } from './steps/lease';
import { createPostConfigureActivities } from './steps/post-configure';
import { createPrecheckActivities } from './steps/precheck';
import { createPrepareActivities } from './steps/prepare';
import { createNotifyActivities } from './steps/notify';
import { createBackupActivities } from './steps/backup';
import { createBackupPrecheckActivities } from './steps/precheck-backup';

/**
 * Every activity the worker registers, built from injected dependencies so that tests and
 * the worker decide what a catalog, an engine, a secret and a fault plan are.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrecheckActivities(deps),
    ...createBackupPrecheckActivities(deps),
    ...createBackupActivities(deps),
    ...createLeaseActivities(),
    ...createPrepareActivities(deps),
    ...createPostConfigureActivities(deps),
    ...createNotifyActivities(deps),
    ...createFinishActivities(deps),
  };
}

export type { ActivityDeps } from './deps';
