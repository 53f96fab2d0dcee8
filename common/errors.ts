/**
 * Every error type dbmove raises on purpose, in one registry. The retry policies of the
 * workflows, the activities' translation into ApplicationFailures and the command line's exit
 * codes are all derived from it, so a new error type is declared once and behaves the same
 * everywhere. No imports: workflow, activity, engine and client code all use it.
 *
 * What a type means for each side:
 * - `input`: the request or the configuration is wrong. Nothing retries it; on the command
 *   line it is bad usage (exit code 2), and nothing was started or changed.
 * - `permanent`: a retry of the same step cannot fix it (a refusal, a failed check, a
 *   platform that cannot do it). A step goes straight to the failure gate, where a person can
 *   fix the cause and retry; housekeeping still retries it, because giving up leaks disk.
 * - `transient`: the platform may answer differently next time; activities retry it.
 */
export type ErrorClass = 'input' | 'permanent' | 'transient';

export const ERROR_TYPES = {
  // input: the request or the configuration is wrong
  UsageError: 'input',
  ConfigError: 'input',
  InvalidName: 'input',
  UnknownEnvironment: 'input',
  FaultPlanError: 'input',
  OperationNotFound: 'input',
  AmbiguousOperation: 'input',
  DemoExists: 'input',
  InvalidBackup: 'input',
  RestoreNotExact: 'input',

  // permanent: a retry of the same step cannot fix it
  InjectedFault: 'permanent',
  SchemaIncompatible: 'permanent',
  VerificationFailed: 'permanent',
  PolicyError: 'permanent',
  SafetyCheckFailed: 'permanent',
  MissingSecret: 'permanent',
  UnsupportedByEngine: 'permanent',
  NoRestoreChain: 'permanent',
  OperationRefused: 'permanent',
  DecisionRefused: 'permanent',
  OperationFailed: 'permanent',
  CodecKeyError: 'permanent',
  DatabaseCorrupt: 'permanent',
  InsufficientSpace: 'permanent',
  SupersededAttempt: 'permanent',
  TargetChangedSinceMarker: 'permanent',
  ApplicationUnavailable: 'permanent',
  DatabaseSyncFailed: 'permanent',
  StagingLost: 'permanent',
  // transient: worth another attempt
  AzureRequestError: 'transient',
  TargetBusy: 'transient',
  TemporalUnreachable: 'transient',
} as const satisfies Record<string, ErrorClass>;

export type ErrorType = keyof typeof ERROR_TYPES;

const ofClass = (...classes: ErrorClass[]) => (Object.keys(ERROR_TYPES) as ErrorType[]).filter((type) => (classes as string[]).includes(ERROR_TYPES[type]));

/** Step activities: these go straight to the operation's failure gate instead of being retried. */
export const NON_RETRYABLE_STEP_ERRORS: readonly ErrorType[] = ofClass('input', 'permanent');

/** Housekeeping activities: only a wrong request stops their retries; everything else may pass. */
export const NON_RETRYABLE_HOUSEKEEPING_ERRORS: readonly ErrorType[] = ofClass('input');

/** The command line exits with 2 (bad usage, nothing changed) for these. */
export const USAGE_ERRORS: readonly ErrorType[] = ofClass('input');

export function errorClassOf(name: string): ErrorClass | undefined {
  return (ERROR_TYPES as Record<string, ErrorClass>)[name];
}

/**
 * The exit codes of every `dbmove` command, one rule:
 * - 0: success;
 * - 1: the operation failed or was refused (a rule declined a well-formed request: a
 *   production target, the same source and target, an open operation on the target, a
 *   decision the phase does not accept), or Temporal could not be reached;
 * - 2: bad usage: the command line itself is wrong (an unknown command or option, a
 *   malformed value, a name that is neither an environment nor an operation); nothing was
 *   started or changed.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The exit code for an error that ends a command: 2 for the `input` class, 1 for anything else. */
export function exitCodeFor(error: { name?: string } | undefined): number {
  return errorClassOf(error?.name ?? '') === 'input' ? EXIT.usage : EXIT.failed;
}

/** The base of dbmove's own errors: `name` is the registered type, which Temporal carries as the failure type. */
export class DbmoveError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** Bad input from the person at the keyboard: exit code 2, nothing started or changed. */
export class UsageError extends DbmoveError {
  constructor(message: string) {
    super('UsageError', message);
  }
}

/** A guard found that the database about to be replaced is not the sandbox the catalog names. */
export class SafetyCheckFailed extends DbmoveError {
  constructor(message: string) {
    super('SafetyCheckFailed', message);
  }
}

export class MissingSecret extends DbmoveError {
  constructor(variable: string, environment: string, purpose: string) {
    super(
      'MissingSecret',
      `The environment variable ${variable} (${purpose} for ${environment}) is not set in the worker's environment. Set it where the worker runs and restart the worker, then retry`,
    );
  }
}

export class VerificationFailed extends DbmoveError {
  constructor(message: string) {
    super('VerificationFailed', message);
  }
}

/** An engine was asked to do something its platform cannot do; `instead` names what to do. */
export class UnsupportedByEngine extends DbmoveError {
  constructor(engine: string, what: string, instead: string) {
    super('UnsupportedByEngine', `The ${engine} engine cannot ${what}. ${instead}`);
  }
}

export class InvalidBackup extends DbmoveError {
  constructor(message: string) {
    super('InvalidBackup', message);
  }
}

/**
 * An application service around the database did not stop, start, become healthy or let the
 * administrator sign in. Permanent: a retry of SWAP stops or starts the services again, and
 * that is a person's decision (retry or roll back), not an automatic one.
 */
export class ApplicationUnavailable extends DbmoveError {
  constructor(message: string) {
    super('ApplicationUnavailable', message);
  }
}

/** The platform's database synchronisation (the catalog's databaseSync command) failed; the message carries its output. */
export class DatabaseSyncFailed extends DbmoveError {
  constructor(message: string) {
    super('DatabaseSyncFailed', message);
  }
}

/** The operation ran and failed: exit code 1. */
export class OperationFailed extends DbmoveError {
  constructor(message: string) {
    super('OperationFailed', message);
  }
}

/** A database's pages are damaged: every retry reads the same pages, so none is offered. */
export class DatabaseCorrupt extends DbmoveError {
  constructor(message: string) {
    super('DatabaseCorrupt', message);
  }
}

/**
 * The staging copy was written before the machine restarted, and staging is not flushed to disk
 * until VERIFY seals it: some of its writes (SCRUB's among them) may be gone. Retrying the step
 * would work on that file again, so none is offered; a new operation makes a fresh copy.
 */
export class StagingLost extends DbmoveError {
  constructor(message: string) {
    super('StagingLost', message);
  }
}

/** Not enough free space for what the operation must write (staging, restore point, backup). */
export class InsufficientSpace extends DbmoveError {
  constructor(message: string) {
    super('InsufficientSpace', message);
  }
}

/**
 * This attempt of a step was given up by Temporal (timed out, or the operation moved on) and a
 * newer attempt owns the operation: it stops before it writes anything more.
 */
export class SupersededAttempt extends DbmoveError {
  constructor(message: string) {
    super('SupersededAttempt', message);
  }
}

/** Connections or processes still hold the target after the bounded wait of SWAP. */
export class TargetBusy extends DbmoveError {
  constructor(message: string) {
    super('TargetBusy', message);
  }
}

/** The live target changed since MARKER and the operation was asked to stop rather than overwrite it. */
export class TargetChangedSinceMarker extends DbmoveError {
  constructor(message: string) {
    super('TargetChangedSinceMarker', message);
  }
}

/** A rule declined a well-formed request before anything was started or changed: exit code 1. */
export class OperationRefused extends DbmoveError {
  constructor(message: string) {
    super('OperationRefused', message);
  }
}

/** A decision (sign-off, rollback, retry, cancel) the operation does not accept now: exit code 1. */
export class DecisionRefused extends DbmoveError {
  constructor(message: string) {
    super('DecisionRefused', message);
  }
}

/** A point-in-time restore asked for a time whose exact state cannot be given (common/restore-plan.ts). */
export class RestoreNotExact extends DbmoveError {
  constructor(message: string) {
    super('RestoreNotExact', message);
  }
}
