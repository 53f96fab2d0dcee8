import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Tuning } from './types';
import { NON_RETRYABLE } from './failure-types';

export type Activities = ReturnType<typeof createActivities>;

export { NON_RETRYABLE };

/** Steps: long, heartbeating, retried a few times before the operation enters FAILED. */
export function stepActivities(tuning: Tuning = {}): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: '24 hours',
    heartbeatTimeout: tuning.heartbeatTimeout ?? '2 minutes',
    retry: {
      initialInterval: tuning.initialInterval ?? '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: tuning.maximumAttempts ?? 3,
      nonRetryableErrorTypes: [...NON_RETRYABLE],
    },
  });
}

/** Housekeeping and lookups: short, and retried longer, because giving up leaks disk. */
export function housekeepingActivities(tuning: Tuning = {}): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: tuning.heartbeatTimeout ?? '2 minutes',
    retry: {
      initialInterval: tuning.initialInterval ?? '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 10,
      nonRetryableErrorTypes: ['UnknownEnvironment', 'ConfigError', 'InvalidName'],
    },
  });
}
