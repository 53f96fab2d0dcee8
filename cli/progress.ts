import * as cliProgress from 'cli-progress';
import { followOperation, type FollowOptions } from '../client/follow';
import type { ExecutionRef, StatusSource } from '../client/operations';
import type { OperationStatus, StepRecord } from '../workflows/types';
import { elapsedMs, liveInfo, phaseText, seconds, stepIcon, yellow } from './render';

/** 'live': redrawn bars on a terminal; 'lines': one line per change (pipes, CI); 'quiet': nothing. */
export type Display = 'live' | 'lines' | 'quiet';

export function displayFor(json: boolean): Display {
  if (json) return 'quiet';
  return process.stdout.isTTY ? 'live' : 'lines';
}

/** Follows an operation (client/follow.ts) while showing its progress on the terminal. */
export async function followWithProgress(
  source: StatusSource,
  handle: ExecutionRef,
  options: Omit<FollowOptions, 'onStatus'> & { display: Display },
): Promise<OperationStatus> {
  const view = options.display === 'live' ? new LiveView() : options.display === 'lines' ? new LineView() : undefined;
  try {
    return await followOperation(source, handle, { intervalMs: 500, ...options, onStatus: (status) => view?.update(status) });
  } finally {
    view?.stop();
  }
}

function stepInfo(step: StepRecord, status: OperationStatus): string {
  if (step.status === 'failed') return step.error ?? 'failed';
  if (step.status === 'running') {
    const live = liveInfo(step, status);
    return live.quiet ? yellow(live.text) : live.text;
  }
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
        return `${payload.line.split('\u0000')[0]} ${bar}${payload.line.split('\u0000')[1] ?? ''}`;
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
      const head = `  ${stepIcon(step)} ${step.name.padEnd(11)} ${seconds(elapsedMs(step)).padStart(9)}`;
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

/** For pipes and CI: a line per finished step, per phase change, per 10% of progress and when a step goes quiet. */
class LineView {
  private readonly seen = new Map<string, string>();
  private phase: string | undefined;
  private lastPercent = -10;
  private quiet = false;

  update(status: OperationStatus): void {
    for (const step of status.steps) {
      const key = `${step.status}:${step.attempts}`;
      if (this.seen.get(step.name) === key) continue;
      this.seen.set(step.name, key);
      if (step.status === 'completed') process.stdout.write(`  ✔ ${step.name} ${seconds(step.durationMs)}  ${step.summary ?? ''}\n`);
      if (step.status === 'failed') process.stdout.write(`  ✘ ${step.name}  ${step.error ?? ''}\n`);
      if (step.status === 'running') {
        this.lastPercent = -10;
        this.quiet = false;
      }
    }
    if (status.phase !== this.phase) {
      this.phase = status.phase;
      process.stdout.write(`${status.operationId}: ${status.phase}\n`);
    }
    const running = status.steps.find((s) => s.status === 'running');
    const p = status.progress;
    if (!running || !p) return;
    const live = liveInfo(running, status);
    if (p.percent >= this.lastPercent + 10 || live.quiet !== this.quiet) {
      this.lastPercent = p.percent;
      this.quiet = live.quiet;
      process.stdout.write(`  … ${p.step} ${seconds(elapsedMs(running))}  ${live.text}\n`);
    }
  }

  stop(): void {}
}
