import { proxySinks, Sinks } from '@temporalio/workflow';
import type { OperationKind, Phase } from './types';

/**
 * Notifications leave the workflow through a sink, not an activity: phase changes must not
 * add events to the history (a refresh stays under 200 whatever happens), and a replay must
 * not notify twice (the worker registers the sink with callDuringReplay: false). Delivery is
 * at most once per phase change; the worker retries the HTTP call itself.
 */
export interface OperationEvent {
  operationId: string;
  kind: OperationKind;
  source?: string;
  target?: string;
  phase: Phase;
  at: string;
  message?: string;
}

export interface DbmoveSinks extends Sinks {
  notifications: {
    phaseChanged(event: OperationEvent): void;
  };
}

export const { notifications } = proxySinks<DbmoveSinks>();
