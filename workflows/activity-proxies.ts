import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Tuning } from './types';
import { NON_RETRYABLE_HOUSEKEEPING_ERRORS, NON_RETRYABLE_STEP_ERRORS } from '../common/errors';

export type Activities = ReturnType<typeof createActivities>;

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
      nonRetryableErrorTypes: [...NON_RETRYABLE_STEP_ERRORS],
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
      nonRetryableErrorTypes: [...NON_RETRYABLE_HOUSEKEEPING_ERRORS],
    },
  });
}
