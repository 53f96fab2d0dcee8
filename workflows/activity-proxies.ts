import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Tuning } from './types';
import { NON_RETRYABLE_HOUSEKEEPING_ERRORS, NON_RETRYABLE_STEP_ERRORS } from '../common/errors';

export type Activities = ReturnType<typeof createActivities>;

/**
 * Steps: long, heartbeating, retried a few times before the operation enters FAILED. With
 * `waitForCancel`, a cancelled step is waited for until it has stopped, so that the clean-up
 * that follows never runs beside a step still writing (a copy re-creating a removed file).
 */
export function stepActivities(tuning: Tuning = {}, waitForCancel = false): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: tuning.stepTimeout ?? '24 hours',
    ...(waitForCancel ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
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
