import type { ExecutionInfo } from '../../client/reader';
import { bold, dim } from '../render';
import { integer, printJson, Register } from './shared';

export interface HistoryRow {
  operationId: string;
  type: string;
  source: string | null;
  target: string | null;
  requestedBy: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  outcome: string;
  phase: string | null;
  status: string;
}

/** In words, where an operation ended (or rests), from its phase and Temporal's state. */
export function outcomeOf(phase: string | undefined, status: string): string {
  const closed = status !== 'RUNNING';
  if (status === 'TERMINATED') return `terminated${phase ? ` in ${phase}` : ''}`;
  if (status === 'TIMED_OUT') return `timed out${phase ? ` in ${phase}` : ''}`;
  switch (phase) {
    case 'COMPLETED':
      return 'signed off';
    case 'ROLLED_BACK':
      return closed ? 'rolled back, signed off' : 'rolled back, waits for sign-off';
    case 'CANCELLED':
      return 'cancelled';
    case 'REFUSED':
      return 'refused';
    case 'FAILED':
      return closed ? 'failed' : 'failed, waits for retry or rollback';
    case 'ROLLBACK_FAILED':
      return 'rollback failed, waits for retry';
    case 'AWAITING_SIGNOFF':
      return 'waits for sign-off';
    case 'ROLLING_BACK':
      return 'rolling back';
    case undefined:
      return status.toLowerCase();
    default:
      return closed ? `${status.toLowerCase()} in ${phase}` : `running ${phase}`;
  }
}

export function historyRow(info: ExecutionInfo): HistoryRow {
  const sa = info.searchAttributes;
  const memo = info.memo as { requestedBy?: unknown };
  return {
    operationId: info.workflowId,
    type: String(sa.DbmoveOperation ?? info.type),
    source: (sa.DbmoveSource as string | undefined) ?? null,
    target: (sa.DbmoveTarget as string | undefined) ?? null,
    requestedBy: typeof memo.requestedBy === 'string' ? memo.requestedBy : null,
    startedAt: info.startTime.toISOString(),
    endedAt: info.closeTime?.toISOString() ?? null,
    durationMs: info.closeTime ? info.closeTime.getTime() - info.startTime.getTime() : null,
    outcome: outcomeOf(sa.DbmovePhase as string | undefined, info.status),
    phase: (sa.DbmovePhase as string | undefined) ?? null,
    status: info.status,
  };
}

function took(ms: number | null): string {
  if (ms === null) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

export const registerHistory: Register = (program, ctx) => {
  program
    .command('history <env>')
    .description(
      "An environment's history as Lifecycle Services shows it: every operation that targeted it (and every export of it, marked), newest first, with its type, who requested it, start, end, duration and outcome. An operation ends when it is signed off, rolled back and signed off, cancelled or refused.",
    )
    .option('--limit <n>', 'at most this many operations', integer(1, 1000), 50)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  dbmove history uat\n  dbmove history prod --json')
    .action(async (env: string, opts: { limit: number; json?: boolean }) => {
      const { environmentQuery } = await import('../../client/operations');
      const reader = await ctx.reader();
      const names = ctx.environmentNames();
      if (names && !names.includes(env)) {
        const { UsageError } = await import('../../common/errors');
        throw new UsageError(`Unknown environment "${env.slice(0, 40)}"; the catalog has ${names.map((n) => `"${n}"`).join(', ')}`);
      }
      const found = (await reader.list(environmentQuery(env, ctx.temporal().taskQueue), 1000))
        .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())
        .slice(0, opts.limit);
      const rows = found.map(historyRow);
      if (opts.json) return printJson(rows);
      if (!rows.length) {
        process.stdout.write(`No operation has targeted ${env} yet.\n`);
        return;
      }
      const table = rows.map((r) => [
        r.operationId,
        r.type === 'export' && r.source === env ? 'export (of it)' : r.source ? `${r.type} from ${r.source}` : r.type,
        r.requestedBy ?? '-',
        when(r.startedAt),
        when(r.endedAt) || '-',
        r.endedAt ? took(r.durationMs) : `(open ${took(Date.now() - Date.parse(r.startedAt))})`,
        r.outcome,
      ]);
      const head = ['operation', 'type', 'requested by', 'start', 'end', 'duration', 'outcome'];
      const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
      process.stdout.write(`${bold(`History of ${env}`)} ${dim(`(${rows.length} operation${rows.length === 1 ? '' : 's'}, newest first)`)}\n`);
      process.stdout.write(`${bold(line(head))}\n`);
      for (const row of table) process.stdout.write(`${line(row)}\n`);
    });
};
