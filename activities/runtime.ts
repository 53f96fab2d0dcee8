import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { findEnvironment, type EnvironmentConfig, type LoadedCatalog } from '../config/catalog';
import { assertName, ENVIRONMENT_NAME, OPERATION_ID } from '../config/names';
import { errorClassOf } from '../common/errors';
import type { Progress } from '../workflows/types';
import type { DatabaseEngine, EngineContext } from '../engines/port';
import type { FaultPlan, FaultPoint } from './faults';

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
    const heartbeat = (details: HeartbeatDetails) => {
      last = details;
      context?.heartbeat(details);
    };
    let catalog: LoadedCatalog | undefined;
    const scope: ActivityScope = {
      operationId,
      environment(name: string) {
        assertName('environment name', name, ENVIRONMENT_NAME);
        catalog ??= deps.catalog();
        return findEnvironment(catalog, name);
      },
      engine: (env) => deps.engineFor(env),
      heartbeat: (percent, detail) => heartbeat({ step: point, percent: Math.max(0, Math.min(100, Math.round(percent * 10) / 10)), detail, resume }),
      engineContext: () => ({
        progress: (percent, detail) => scope.heartbeat(percent, detail),
        saveResumeState: (state) => {
          resume = state;
          heartbeat({ ...last, resume });
        },
        resumeState: previous?.resume,
        signal: context?.cancellationSignal ?? new AbortController().signal,
        log: (message) => log.info(message, { operationId, step: point }),
        // Only when a fault is planned here: engines take a slower, interruptible path for it
        // (COPY copies in two halves through JavaScript instead of one kernel copy).
        checkpoint: deps.faults.plan.has(point) ? (label) => deps.faults.checkpoint(point, label, operationId) : undefined,
      }),
    };
    return await work(scope);
  } catch (err) {
    throw toFailure(err);
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
