import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionInput, OperationStatus } from './types';

/**
 * Every operation answers the same messages. Each decision exists twice under one name:
 * as a signal, for people (the Web UI's "Send Signal" and `temporal workflow signal` send
 * it; it cannot be refused, so a decision that is not allowed is recorded and ignored), and
 * as an update, for programs (the `dbmove` client uses it; a validator refuses it with the
 * reason before anything is written to the history).
 *
 * Payload, as JSON: {"by": "alice@contoso.com", "note": "optional words for the audit trail"}
 */
export const signOffSignal = defineSignal<[DecisionInput]>('signOff');
export const rollbackSignal = defineSignal<[DecisionInput]>('rollback');
export const retrySignal = defineSignal<[DecisionInput]>('retry');

export const signOffUpdate = defineUpdate<OperationStatus, [DecisionInput]>('signOff');
export const rollbackUpdate = defineUpdate<OperationStatus, [DecisionInput]>('rollback');
export const retryUpdate = defineUpdate<OperationStatus, [DecisionInput]>('retry');

export const statusQuery = defineQuery<OperationStatus>('status');

/** The lease child answers who holds an environment. */
export const leaseHolderQuery = defineQuery<LeaseHolder>('holder');
export const releaseLeaseSignal = defineSignal<[{ operationId: string }]>('release');

export interface LeaseHolder {
  environment: string;
  operationId: string;
  kind: string;
  since: string;
}
