import { sleep } from '../abort';
import type { OperationState, SimplePollerLike } from '@azure/core-lro';
import type { EngineContext, Marker } from '../port';

/**
 * What an activity attempt leaves for the next attempt of the same activity, carried in its
 * heartbeat details: the serialized state of each long-running ARM operation it started
 * (poller.toString(): the operation's polling URL and status, never the request body), and
 * the marker once taken. A retried attempt resumes those operations with `resumeFrom`
 * instead of sending the PUT or POST again.
 */
export interface ResumeState {
  engine: 'azure-sql';
  lro: Record<string, string>;
  marker?: Marker;
}

export class ResumeJournal {
  private state: ResumeState;

  constructor(private readonly ctx: EngineContext) {
    const previous = ctx.resumeState as Partial<ResumeState> | undefined;
    this.state =
      previous?.engine === 'azure-sql' ? { engine: 'azure-sql', lro: { ...previous.lro }, marker: previous.marker } : { engine: 'azure-sql', lro: {} };
  }

  lro(key: string): string | undefined {
    return this.state.lro[key];
  }

  get marker(): Marker | undefined {
    return this.state.marker;
  }

  saveLro(key: string, serialized: string | undefined): void {
    if (this.state.lro[key] === serialized) return;
    const lro = { ...this.state.lro };
    if (serialized === undefined) delete lro[key];
    else lro[key] = serialized;
    this.state = { ...this.state, lro };
    this.ctx.saveResumeState(this.state);
  }

  saveMarker(marker: Marker): void {
    this.state = { ...this.state, marker };
    this.ctx.saveResumeState(this.state);
  }
}

export interface LroRun<T> {
  ctx: EngineContext;
  journal: ResumeJournal;
  /** Names the operation within the activity (e.g. "copy:uatdb_stg_1a2b3c4d5e"). */
  key: string;
  /** Starts the operation, or resumes it from `resumeFrom` without sending the request again. */
  begin: (resumeFrom: string | undefined) => Promise<SimplePollerLike<OperationState<T>, T>>;
  pollIntervalMs: number;
  /** Called after every poll: progress from the database's operations, heartbeats. */
  onPoll?: () => Promise<void>;
}

/**
 * Runs a long-running operation to its end, saving its state after the first response and
 * after every poll. A failed or cancelled operation is forgotten before the error is raised,
 * so that the next attempt starts over (after its own checks) instead of resuming a failure.
 */
export async function runResumable<T>(run: LroRun<T>): Promise<{ result: T | undefined; resumed: boolean }> {
  const saved = run.journal.lro(run.key);
  const poller = await run.begin(saved);
  run.journal.saveLro(run.key, poller.toString());
  while (!poller.isDone()) {
    await sleep(run.pollIntervalMs, run.ctx.signal);
    await run.onPoll?.();
    try {
      await poller.poll({ abortSignal: run.ctx.signal });
    } catch (err) {
      if (poller.getOperationState().status === 'failed') run.journal.saveLro(run.key, undefined);
      throw err;
    }
    run.journal.saveLro(run.key, poller.toString());
  }
  const state = poller.getOperationState();
  if (state.status !== 'succeeded') {
    run.journal.saveLro(run.key, undefined);
    throw state.error ?? new Error(`The Azure operation ${run.key} ended ${state.status}`);
  }
  return { result: poller.getResult(), resumed: saved !== undefined };
}
