import { DbmoveError } from '../common/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';

/**
 * Fault injection for the local stack, read by the worker from DBMOVE_FAULTS, so that tests
 * and people can make any step fail, hang or crash and watch the operation recover:
 *
 *   DBMOVE_FAULTS="SYNC=fail"             SYNC fails on every attempt (fix: restart the worker without it, then retry)
 *   DBMOVE_FAULTS="SYNC=fail-once"        SYNC fails once per operation; `retry` then succeeds
 *   DBMOVE_FAULTS="COPY=hang"             COPY stops heartbeating until Temporal times it out
 *   DBMOVE_FAULTS="SCRUB=slow"            SCRUB first spends 6 s heartbeating its progress (to watch live progress)
 *   DBMOVE_FAULTS="SCRUB=crash-once"      the worker process dies (SIGKILL) mid-SCRUB, once per operation
 *   DBMOVE_FAULTS="COPY=crash,ROLLBACK=fail-once"   several at once
 *
 * Crashes happen where they hurt most: halfway through the COPY, after the first SCRUB
 * element; other steps crash as they start. "Once" is remembered in the state folder, so it
 * survives the crash it causes.
 */
export type FaultKind = 'fail' | 'fail-once' | 'hang' | 'slow' | 'crash' | 'crash-once';

export const FAULT_KINDS: FaultKind[] = ['fail', 'fail-once', 'hang', 'slow', 'crash', 'crash-once'];

/** How long a `slow` step spends before its work, and how often it reports progress meanwhile. */
export const SLOW_FAULT_MS = 6_000;
const SLOW_FAULT_TICK_MS = 200;
export const FAULT_POINTS = [
  'PRECHECK',
  'VALIDATE',
  'MARKER',
  'COPY',
  'RESTORE',
  'SCRUB',
  'SYNC',
  'POSTCONFIG',
  'VERIFY',
  'PACKAGE',
  'NOTIFY',
  'SWAP',
  'ROLLBACK',
  'HOUSEKEEPING',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Steps with a checkpoint in the middle of their work; crashes wait for it. */
const MID_STEP_CHECKPOINTS: Partial<Record<FaultPoint, string>> = { COPY: 'copy-midpoint', SCRUB: 'scrub-element' };

export class InjectedFault extends DbmoveError {
  constructor(point: string, kind: FaultKind) {
    super('InjectedFault', `Injected fault: ${point}=${kind} (DBMOVE_FAULTS). Restart the worker without it, then retry`);
  }
}

export class FaultPlanError extends DbmoveError {
  constructor(entry: string, problem: string) {
    super(
      'FaultPlanError',
      `DBMOVE_FAULTS entry "${entry}": ${problem}. Write STEP=KIND pairs separated by commas, with STEP one of ${FAULT_POINTS.join(', ')} and KIND one of ${FAULT_KINDS.join(', ')}, for example DBMOVE_FAULTS="SYNC=fail"`,
    );
  }
}

export function parseFaultPlan(text: string | undefined): Map<FaultPoint, FaultKind> {
  const plan = new Map<FaultPoint, FaultKind>();
  for (const entry of (text ?? '')
    .split(/[,;]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [point, kind, ...rest] = entry.split('=').map((p) => p.trim());
    if (rest.length || !point || !kind) throw new FaultPlanError(entry, 'expected STEP=KIND');
    if (!(FAULT_POINTS as readonly string[]).includes(point.toUpperCase())) throw new FaultPlanError(entry, `unknown step "${point}"`);
    if (!(FAULT_KINDS as string[]).includes(kind)) throw new FaultPlanError(entry, `unknown fault "${kind}"`);
    plan.set(point.toUpperCase() as FaultPoint, kind as FaultKind);
  }
  return plan;
}

export class FaultPlan {
  constructor(
    readonly plan: Map<FaultPoint, FaultKind>,
    private readonly stateDir: string,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv, stateDir: string): FaultPlan {
    return new FaultPlan(parseFaultPlan(env.DBMOVE_FAULTS), stateDir);
  }

  get active(): boolean {
    return this.plan.size > 0;
  }

  describe(): string {
    return [...this.plan].map(([p, k]) => `${p}=${k}`).join(',');
  }

  /** Called as a step's activity starts; `progress` heartbeats (a `slow` step reports through it). */
  async atStart(point: FaultPoint, operationId: string, progress: (percent: number, detail: string) => void = () => {}): Promise<void> {
    const kind = this.plan.get(point);
    if (!kind) return;
    if (kind === 'fail' || (kind === 'fail-once' && this.firstTime(point, kind, operationId))) throw new InjectedFault(point, kind);
    if (kind === 'hang') await hang(point);
    if (kind === 'slow') await slow(progress);
    if ((kind === 'crash' || kind === 'crash-once') && !MID_STEP_CHECKPOINTS[point]) this.crash(point, kind, operationId);
  }

  /** Called by engines and policies at their mid-step checkpoints. */
  async checkpoint(point: FaultPoint, label: string, operationId: string): Promise<void> {
    const kind = this.plan.get(point);
    if ((kind === 'crash' || kind === 'crash-once') && MID_STEP_CHECKPOINTS[point] === label) this.crash(point, kind, operationId);
  }

  private crash(point: FaultPoint, kind: FaultKind, operationId: string): void {
    if (kind === 'crash-once' && !this.firstTime(point, kind, operationId)) return;
    process.stderr.write(`dbmove worker: injected crash at ${point} (${kind}) for ${operationId}; killing this process\n`);
    process.kill(process.pid, 'SIGKILL');
  }

  /** True the first time only, remembered on disk so that it survives a crash. */
  private firstTime(point: FaultPoint, kind: FaultKind, operationId: string): boolean {
    const marker = path.join(this.stateDir, 'faults', `${operationId}.${point}.${kind}`);
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    try {
      fs.writeFileSync(marker, new Date().toISOString(), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Spends SLOW_FAULT_MS before the step's work, heartbeating a rising percentage every 200 ms:
 * what a long step looks like to `dbmove status`, the progress bar and the Web UI, at any size.
 */
async function slow(progress: (percent: number, detail: string) => void): Promise<void> {
  const signal = Context.current().cancellationSignal;
  const started = Date.now();
  for (let spent = 0; spent < SLOW_FAULT_MS && !signal.aborted; spent = Date.now() - started) {
    progress((100 * spent) / SLOW_FAULT_MS, `slowed down by DBMOVE_FAULTS (${(spent / 1000).toFixed(1)} s of ${SLOW_FAULT_MS / 1000} s)`);
    await new Promise((resolve) => setTimeout(resolve, SLOW_FAULT_TICK_MS));
  }
}

/** Stops heartbeating so Temporal's heartbeat timeout fires; gives up after an hour or on cancellation. */
async function hang(point: FaultPoint): Promise<never> {
  const signal = Context.current().cancellationSignal;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3_600_000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  throw new InjectedFault(point, 'hang');
}
