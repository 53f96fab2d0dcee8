import { Client, WorkflowHandle } from '@temporalio/client';
import * as cliProgress from 'cli-progress';
import { followOperation, type FollowOptions } from '../client/follow';
import type { OperationStatus, StepRecord } from '../workflows/types';
import { phaseText, seconds, stepIcon } from './render';

/** 'live': redrawn bars on a terminal; 'lines': one line per change (pipes, CI); 'quiet': nothing. */
export type Display = 'live' | 'lines' | 'quiet';

export function displayFor(json: boolean): Display {
  if (json) return 'quiet';
  return process.stdout.isTTY ? 'live' : 'lines';
}

/** Follows an operation (client/follow.ts) while showing its progress on the terminal. */
export async function followWithProgress(
  client: Client,
  handle: WorkflowHandle,
  options: Omit<FollowOptions, 'onStatus'> & { display: Display },
): Promise<OperationStatus> {
  const view = options.display === 'live' ? new LiveView() : options.display === 'lines' ? new LineView() : undefined;
  try {
    return await followOperation(client, handle, { ...options, onStatus: (status) => view?.update(status) });
  } finally {
    view?.stop();
  }
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
