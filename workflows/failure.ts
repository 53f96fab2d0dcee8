import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { Decision } from './types';

/** Thrown inside an operation to leave its steps and compensate. */
export class RollbackRequested extends Error {
  constructor(readonly decision: Decision | undefined) {
    super('Rollback requested');
    this.name = 'RollbackRequested';
  }
}

/** Digs the business reason out of an activity failure, for the status and the log. */
export function describeFailure(err: unknown): { message: string; type?: string } {
  let cause: unknown = err;
  if (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { message: cause.message, type: cause.type ?? undefined };
  if (cause instanceof TimeoutFailure) {
    const what =
      cause.timeoutType === 'HEARTBEAT'
        ? 'sent no heartbeat within its heartbeat timeout'
        : `exceeded its ${String(cause.timeoutType).toLowerCase().replace(/_/g, '-')} timeout`;
    return { message: `the step stopped responding: it ${what} on its last attempt`, type: 'Timeout' };
  }
  if (cause instanceof Error) return { message: cause.message, type: cause.name };
  return { message: String(cause) };
}
