/**
 * The vocabulary shared by workflows, activities and the client. Types only: importing this
 * file brings no code into the workflow bundle.
 */
import type { Duration } from '@temporalio/common';
import type { Holding, Marker } from '../engines/port';

export type { Holding, Marker };

export type OperationKind = 'refresh' | 'export' | 'import' | 'restore';

/** Steps that do work. Each operation runs a subset of them, in order. */
export type StepName = 'PRECHECK' | 'VALIDATE' | 'MARKER' | 'COPY' | 'RESTORE' | 'SCRUB' | 'SYNC' | 'POSTCONFIG' | 'VERIFY' | 'PACKAGE' | 'NOTIFY' | 'SWAP';

/** Where an operation stands. Step names double as phases while the step runs. */
export type Phase = StepName | 'AWAITING_SIGNOFF' | 'COMPLETED' | 'REFUSED' | 'FAILED' | 'ROLLING_BACK' | 'ROLLED_BACK' | 'ROLLBACK_FAILED' | 'CANCELLED';

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export interface StepRecord {
  name: StepName;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Time the activity itself reported working; the rest of durationMs is orchestration. */
  activityMs?: number;
  attempts: number;
  rowsAffected?: number;
  summary?: string;
  error?: string;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  step?: StepName | 'ROLLBACK' | 'SIGNOFF' | 'CANCEL';
  message: string;
}

export interface FailureInfo {
  step: StepName | 'ROLLBACK';
  message: string;
  type?: string;
  at: string;
  attempts: number;
  /** What each decision will do, in words an administrator can act on. */
  choices: { retry: string; rollback?: string };
}

/** What a person (or program) can decide while an operation waits. */
export type DecisionKind = 'sign-off' | 'rollback' | 'retry';

export interface Decision {
  kind: DecisionKind | 'cancel';
  by: string;
  at: string;
  via: 'signal' | 'update';
  accepted: boolean;
  reason?: string;
  note?: string;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  message: string;
  /** How to fix it, for failed checks. */
  fix?: string;
  /** A warning does not refuse the operation. */
  severity?: 'error' | 'warning';
}

export interface OperationStatus {
  operationId: string;
  kind: OperationKind;
  source?: string;
  target?: string;
  requestedBy: string;
  startedAt: string;
  phase: Phase;
  steps: StepRecord[];
  checks: CheckResult[];
  marker?: Marker;
  /** Milliseconds the target's database could not be used: the switch itself (file rename, database renames). */
  unavailableWindowMs?: number;
  /**
   * Milliseconds the target's application was unavailable as its users saw it: from the first
   * service stopped to every service healthy again. Only when the catalog names the application.
   */
  applicationUnavailableMs?: number;
  /**
   * What an administrator must do before users return (values that cannot travel, such as
   * encrypted fields, to re-enter in the client): collected from the steps, shown at sign-off.
   */
  checklist?: string[];
  failure?: FailureInfo;
  holdings: Holding[];
  decisions: Decision[];
  logs: LogLine[];
  signedOff?: { by: string; at: string; note?: string };
  rolledBack?: { at: string; restoredTo?: string; unavailableWindowMs?: number; applicationUnavailableMs?: number; durationMs?: number };
  /** Set when a cancel request was honoured: when, and the phase the operation was in. */
  cancelled?: { at: string; phase: Phase };
  /** Changes made to the live target by its own users between MARKER and SWAP (SWAP overwrote them, or stopped). */
  targetWrites?: TargetWritesSeen;
  /** A point-in-time restore: the time whose state it prepared (and, after SWAP, the target holds). */
  restored?: RestoredState;
  /** Filled by the client from the running activity's heartbeat; the workflow never sees it. */
  progress?: Progress;
  result?: Record<string, unknown>;
}

export interface TargetWritesSeen {
  rows: number;
  tables: { table: string; rows: number }[];
  /** What happened to them: overwritten by SWAP (as Lifecycle Services overwrites a target), or SWAP stopped. */
  outcome: 'overwritten' | 'stopped';
  at: string;
}

/** A running step's progress: `step`, `percent` and `detail` come from its heartbeat, the rest from Temporal's description of the pending activity. */
export interface Progress {
  step: string;
  percent: number;
  detail?: string;
  /** The activity's attempt (1 unless Temporal retried it). */
  attempt?: number;
  /** When the running attempt started. */
  attemptStartedAt?: string;
  /** When its last heartbeat reached Temporal. */
  lastHeartbeatAt?: string;
  /** Milliseconds since the last heartbeat (or since the attempt started, or was scheduled, when none came yet). */
  quietMs?: number;
  /** Estimated milliseconds left, from the rate so far; only once it means something. */
  remainingMs?: number;
  /** No worker has picked the step up yet (none is running, or all are busy). */
  waitingForWorker?: boolean;
  /** Why the previous attempt failed, while Temporal retries it. */
  lastFailure?: string;
}

export type OnFailure = 'wait' | 'rollback';

export interface OperationOptions {
  /** Who asked for it: recorded in history and shown in status. Never a credential. */
  requestedBy: string;
  /** 'wait' (default) pauses in FAILED for a decision; 'rollback' compensates at once. */
  onFailure?: OnFailure;
  /** Sign off automatically once VERIFY passed and SWAP completed (scheduled refreshes). */
  autoSignOff?: boolean;
  tuning?: Tuning;
}

export interface RefreshInput extends OperationOptions {
  source: string;
  target: string;
}

export interface ExportInput extends OperationOptions {
  source: string;
  /** Where the backup goes: a file path (local engine) or a blob URI (Azure SQL). */
  output: string;
}

export interface ImportInput extends OperationOptions {
  target: string;
  input: string;
}

export interface RestoreInput extends OperationOptions {
  target: string;
  /** ISO time to restore to (for a named restore point, its own time). */
  to: string;
  /** Accept the latest state at or before `to` that can be restored exactly, when `to` itself cannot be. */
  nearest?: boolean;
  /** Restore this kept restore point (an id `dbmove restore-points` lists). */
  point?: string;
}

/** What a point-in-time restore gave back: the time whose state the target holds. */
export interface RestoredState {
  /** The time asked for. */
  requested: string;
  /** The time whose state was restored (the time asked, unless the nearest was accepted). */
  stateAt: string;
  exact: boolean;
  /** The kept restore point it came from (embedded engine). */
  restorePoint?: string;
}

export interface OperationResult {
  operationId: string;
  kind: OperationKind;
  outcome: 'completed' | 'rolled-back' | 'cancelled';
  phase: Phase;
  signedOffBy?: string;
  unavailableWindowMs?: number;
  applicationUnavailableMs?: number;
  /** A point-in-time restore: the time whose state was restored. */
  restored?: RestoredState;
  steps: StepRecord[];
}

/** Payload of sign-off, rollback and retry, whether sent as a signal or an update. */
export interface DecisionInput {
  /** The person (or program) deciding. Checked against the environment's approvers. */
  by: string;
  /** Why, in free text; recorded in the history. */
  note?: string;
}

/** What every step activity returns: facts for the status and the log, never secrets. */
export interface StepOutcome {
  summary: string;
  /** Milliseconds the activity spent working (the rest of the step is orchestration). */
  activityMs: number;
  rowsAffected?: number;
  notes: string[];
  /** What the operation holds on disk after this step. */
  holdings?: Holding[];
  details?: Record<string, unknown>;
  /** Items for the sign-off checklist (OperationStatus.checklist). */
  checklist?: string[];
}

export interface PrecheckOutcome extends StepOutcome {
  checks: CheckResult[];
  /** Who may sign off, retry and roll back on the target; empty means anyone. */
  approvers: string[];
  /** The environment's timeouts from the catalog (durations only), for the steps that follow. */
  tuning?: Tuning;
}

/** Timeouts and retries, overridable per operation (tests use short ones to see hangs fast). */
export interface Tuning {
  heartbeatTimeout?: Duration;
  /** The longest one attempt of a step may run (start to close). */
  stepTimeout?: Duration;
  maximumAttempts?: number;
  initialInterval?: Duration;
}

export interface OperationRef {
  operationId: string;
  source?: string;
  target?: string;
}
