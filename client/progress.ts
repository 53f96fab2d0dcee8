import { Client, WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import * as cliProgress from 'cli-progress';
import type { OperationStatus, Phase, StepRecord } from '../workflows/types';
import { getStatus } from './operations';
import { RESTING_PHASES } from '../workflows/phases';
import { phaseText, seconds, stepIcon } from '../cli/render';


export interface FollowOptions {
  until?: readonly Phase[];
  /** 'live': redrawn bars on a terminal; 'lines': one line per change (pipes, CI); 'quiet': nothing. */
  display: 'live' | 'lines' | 'quiet';
  intervalMs?: number;
  /** Stop following early (Ctrl-C in `npm start`). */
  signal?: AbortSignal;
  /** Give up after this long, naming the last phase and log lines (tests and scripts; people wait). */
  timeoutMs?: number;
}

export function displayFor(json: boolean): FollowOptions['display'] {
  if (json) return 'quiet';
  return process.stdout.isTTY ? 'live' : 'lines';
}

/**
 * Polls the operation's status query (plus the running step's heartbeat) until it reaches a
 * resting phase, showing progress as it goes. Polling a query adds nothing to the history.
 */
export async function followOperation(client: Client, handle: WorkflowHandle, options: FollowOptions): Promise<OperationStatus> {
  const until = options.until ?? RESTING_PHASES;
  const interval = options.intervalMs ?? 300;
  const view = options.display === 'live' ? new LiveView() : options.display === 'lines' ? new LineView() : undefined;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let status: OperationStatus | undefined;
  let misses = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      if (Date.now() > deadline) {
        throw new Error(`${handle.workflowId} did not reach ${until.join(' or ')} within ${options.timeoutMs} ms; last phase ${status?.phase}, logs: ${JSON.stringify(status?.logs.slice(-5))}`);
      }
      try {
        status = await getStatus(client, handle);
        misses = 0;
        view?.update(status);
        if (until.includes(status.phase)) break;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw err;
        // The first workflow task may not have run yet, or the worker is restarting.
        if (++misses > 200) throw err;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    view?.stop();
  }
  if (!status) throw new Error(`No status from ${handle.workflowId}; is a dbmove worker running on the task queue?`);
  return status;
}

function stepInfo(step: StepRecord, status: OperationStatus): string {
  if (step.status === 'failed') return step.error ?? 'failed';
  if (step.status === 'running' && status.progress?.step === step.name) return status.progress.detail ?? '';
  return step.summary ?? '';
}

class LiveView {
  private readonly bars = new cliProgress.MultiBar(
    {
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      forceRedraw: true,
      format: (options, params, payload: { line: string; running: boolean }) => {
        if (!payload.running) return payload.line;
        const filled = Math.round((params.progress ?? 0) * (options.barsize ?? 24));
        const bar = '█'.repeat(filled) + '░'.repeat((options.barsize ?? 24) - filled);
        return `${payload.line.split('\u0000')[0]} ${bar} ${Math.round((params.progress ?? 0) * 100)}%${payload.line.split('\u0000')[1] ?? ''}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  private header: cliProgress.SingleBar | undefined;
  private readonly rows = new Map<string, cliProgress.SingleBar>();

  update(status: OperationStatus): void {
    const route = [status.source, status.target].filter(Boolean).join(' → ');
    const title = `${status.kind} ${route}  ${phaseText(status.phase)}  ${status.operationId}`;
    if (!this.header) this.header = this.bars.create(100, 0, { line: title, running: false });
    else this.header.update(0, { line: title, running: false });
    for (const step of status.steps) {
      const running = step.status === 'running';
      const percent = running && status.progress?.step === step.name ? status.progress.percent : step.status === 'completed' ? 100 : 0;
      const head = `  ${stepIcon(step)} ${step.name.padEnd(11)} ${seconds(step.durationMs).padStart(9)}`;
      const line = running ? `${head}\u0000  ${stepInfo(step, status)}` : `${head}  ${stepInfo(step, status)}`;
      const row = this.rows.get(step.name);
      if (!row) this.rows.set(step.name, this.bars.create(100, percent, { line, running }));
      else row.update(percent, { line, running });
    }
  }

  stop(): void {
    this.bars.stop();
  }
}

class LineView {
  private readonly seen = new Map<string, string>();
  private phase: string | undefined;
  private lastPercent = -10;

  update(status: OperationStatus): void {
    for (const step of status.steps) {
      const key = `${step.status}:${step.attempts}`;
      if (this.seen.get(step.name) === key) continue;
      this.seen.set(step.name, key);
      if (step.status === 'completed') process.stdout.write(`  ✔ ${step.name} ${seconds(step.durationMs)}  ${step.summary ?? ''}\n`);
      if (step.status === 'failed') process.stdout.write(`  ✘ ${step.name}  ${step.error ?? ''}\n`);
      if (step.status === 'running') this.lastPercent = -10;
    }
    if (status.phase !== this.phase) {
      this.phase = status.phase;
      process.stdout.write(`${status.operationId}: ${status.phase}\n`);
    }
    const p = status.progress;
    if (p && p.percent >= this.lastPercent + 10) {
      this.lastPercent = p.percent;
      process.stdout.write(`  … ${p.step} ${p.percent.toFixed(0)}% ${p.detail ?? ''}\n`);
    }
  }

  stop(): void {}
}
