import { proxySinks, Sinks } from '@temporalio/workflow';
import type { OperationKind, Phase } from './types';

/**
 * Notifications leave the workflow through a sink, not an activity: phase changes must not
 * add events to the history (a refresh stays under 200 whatever happens), and a replay must
 * not notify twice (the worker registers the sink with callDuringReplay: false). A workflow
 * task that times out and runs again does call the sink again, so delivery is at least once;
 * `sequence` is the same on every delivery of one change, for receivers to drop repeats. The
 * worker retries the HTTP call itself.
 */
export interface OperationEvent {
  operationId: string;
  kind: OperationKind;
  source?: string;
  target?: string;
  phase: Phase;
  /** 1, 2, 3... per operation: the key to deduplicate deliveries with (operationId, sequence). */
  sequence: number;
  at: string;
  message?: string;
}

export interface DbmoveSinks extends Sinks {
  notifications: {
    phaseChanged(event: OperationEvent): void;
  };
}

export const { notifications } = proxySinks<DbmoveSinks>();
