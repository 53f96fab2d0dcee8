import { RESTING_PHASES } from '../workflows/phases';
import type { OperationStatus, Phase } from '../workflows/types';
import { getStatus, type ExecutionRef, type StatusSource } from './operations';
import { ExecutionNotFoundError } from './reader';

export interface FollowOptions {
  /** Stop in one of these phases (default: any resting phase of phases.ts)... */
  until?: readonly Phase[];
  /** ...or once this holds, for waits a phase list cannot express. */
  done?: (status: OperationStatus) => boolean;
  intervalMs?: number;
  /** Stop following early (Ctrl-C in `npm start`). */
  signal?: AbortSignal;
  /** Give up after this long, naming the last phase and log lines (tests and scripts; people wait). */
  timeoutMs?: number;
  /** Called with every status read, for a display. */
  onStatus?: (status: OperationStatus) => void;
}

/**
 * Polls the operation's status query (plus the running step's heartbeat) until it reaches a
 * resting phase. Polling a query adds nothing to the history. The one poller of dbmove: the
 * command line, the scripts and the tests all follow operations through it.
 */
export async function followOperation(client: StatusSource, handle: ExecutionRef, options: FollowOptions = {}): Promise<OperationStatus> {
  const until = options.until ?? RESTING_PHASES;
  const done = options.done ?? ((status: OperationStatus) => until.includes(status.phase));
  const interval = options.intervalMs ?? 300;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let status: OperationStatus | undefined;
  let misses = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    if (Date.now() > deadline) {
      const goal = options.done ? 'the expected state' : until.join(' or ');
      throw new Error(
        `${handle.workflowId} did not reach ${goal} within ${options.timeoutMs} ms; last phase ${status?.phase}, failure ${JSON.stringify(status?.failure)}, logs: ${JSON.stringify(status?.logs.slice(-5))}`,
      );
    }
    try {
      status = await getStatus(client, handle);
      misses = 0;
      options.onStatus?.(status);
      if (done(status)) break;
    } catch (err) {
      if (err instanceof ExecutionNotFoundError || (err as Error).name === 'WorkflowNotFoundError') throw err;
      // The first workflow task may not have run yet, or the worker is restarting.
      if (++misses > 200) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  if (!status) throw new Error(`No status from ${handle.workflowId}; is a dbmove worker running on the task queue?`);
  return status;
}
