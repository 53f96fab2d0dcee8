import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { findEnvironment, type EnvironmentConfig, type LoadedCatalog } from '../config/catalog';
import { assertName, ENVIRONMENT_NAME, OPERATION_ID } from '../config/names';
import { errorClassOf } from '../common/errors';
import { AttemptFence } from './attempt-fence';
import type { Progress } from '../workflows/types';
import type { DatabaseEngine, EngineContext } from '../engines/port';
import type { AttemptControl, FaultPlan, FaultPoint } from './faults';

/**
 * What activities need from the outside world, injected once by the worker (and by tests).
 * Activities read the catalog afresh on every call: the workflow history holds environment
 * names only, and what a name means (file, server, credentials) is resolved at the moment
 * of use.
 */
export interface ActivityDeps {
  catalog: () => LoadedCatalog;
  engineFor: (env: EnvironmentConfig) => DatabaseEngine;
  faults: FaultPlan;
  /** Secret lookup by environment variable name; values never leave the activity. */
  secret: (name: string) => string | undefined;
  stateDir: string;
}

/** Heartbeat details: progress for people, resume state for the next attempt. */
export interface HeartbeatDetails extends Progress {
  resume?: unknown;
}

export interface ActivityScope {
  readonly operationId: string;
  environment(name: string): EnvironmentConfig;
  engine(env: EnvironmentConfig): DatabaseEngine;
  engineContext(): EngineContext;
  heartbeat(percent: number, detail?: string): void;
}

/**
 * Runs a step activity: checks names, fires injected faults, gives engines a heartbeating
 * context, and turns known business errors into typed, non-retryable ApplicationFailures.
 */
export async function runStepActivity<T>(deps: ActivityDeps, point: FaultPoint, operationId: string, work: (scope: ActivityScope) => Promise<T>): Promise<T> {
  let pulse: NodeJS.Timeout | undefined;
  try {
    assertName('operation id', operationId, OPERATION_ID);
    let context: Context | undefined;
    try {
      context = Context.current();
    } catch {
      context = undefined;
    }
    await deps.faults.atStart(point, operationId, (percent, detail) => context?.heartbeat({ step: point, percent: Math.round(percent * 10) / 10, detail }));
    const previous = context?.info.heartbeatDetails as HeartbeatDetails | undefined;
    let resume: unknown = previous?.resume;
    let last: HeartbeatDetails = { step: point, percent: 0 };
    // A fault may freeze this attempt's heartbeats (DBMOVE_FAULTS stall-once), as a frozen worker would.
    let silentUntil = 0;
    const heartbeat = (details: HeartbeatDetails) => {
      last = details;
      if (Date.now() >= silentUntil) context?.heartbeat(details);
    };
    // This attempt owns the operation from now on; an older attempt still running somewhere
    // finds the fence moved and stops before its next write.
    const fence = context ? await AttemptFence.claim(deps.stateDir, operationId, `${point}/${context.info.activityId}/${context.info.attempt}`) : undefined;
    const signal = context?.cancellationSignal ?? new AbortController().signal;
    // The step heartbeats on its own every few seconds whatever it is doing (a long statement
    // runs on a database thread, never on this event loop), so Temporal hears from a live
    // attempt and delivers a cancellation or a timeout to it.
    if (context) {
      const every = Math.max(200, Math.min(5_000, (context.info.heartbeatTimeoutMs ?? 120_000) / 3));
      pulse = setInterval(() => heartbeat({ ...last, resume }), every);
    }
    let catalog: LoadedCatalog | undefined;
    const control: AttemptControl = {
      silence: (ms) => (silentUntil = Date.now() + ms),
      heartbeatTimeoutMs: context?.info.heartbeatTimeoutMs ?? 120_000,
      signal,
    };
    const engineContext: EngineContext = {
      progress: (percent, detail) => scope.heartbeat(percent, detail),
      saveResumeState: (state) => {
        resume = state;
        heartbeat({ ...last, resume });
      },
      resumeState: previous?.resume,
      signal,
      log: (message) => log.info(message, { operationId, step: point }),
      // Only when a fault is planned here: engines take a slower, interruptible path for it
      // (COPY copies in two halves through JavaScript instead of one kernel copy).
      checkpoint: deps.faults.plan.has(point) ? (label) => deps.faults.checkpoint(point, label, operationId, control) : undefined,
      fence: async (label) => {
        signal.throwIfAborted();
        await fence?.check(label);
      },
    };
    const scope: ActivityScope = {
      operationId,
      environment(name: string) {
        assertName('environment name', name, ENVIRONMENT_NAME);
        catalog ??= deps.catalog();
        return findEnvironment(catalog, name);
      },
      engine: (env) => deps.engineFor(env),
      heartbeat: (percent, detail) => heartbeat({ step: point, percent: Math.max(0, Math.min(100, Math.round(percent * 10) / 10)), detail, resume }),
      engineContext: () => engineContext,
    };
    await deps.faults.started(point, control);
    return await work(scope);
  } catch (err) {
    throw toFailure(err);
  } finally {
    if (pulse) clearInterval(pulse);
  }
}

export function toFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && errorClassOf(err.name) !== undefined && errorClassOf(err.name) !== 'transient') {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true });
  }
  return err;
}

export function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
