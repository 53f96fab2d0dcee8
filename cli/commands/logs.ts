import * as fs from 'node:fs';
import type { OperationStatus } from '../../workflows/types';
import { getStatusWhenReady, resolveForReading } from './status';
import { oneOf, Register } from './shared';
import { UsageError } from '../../common/errors';
import { unwritableNewFileProblem } from '../../config/files';

/** The runbook as JSON lines: one header, then every step, log line and decision, for programs. */
export function runbookJsonLines(status: OperationStatus): string[] {
  const header = {
    type: 'operation',
    operationId: status.operationId,
    kind: status.kind,
    source: status.source,
    target: status.target,
    phase: status.phase,
    requestedBy: status.requestedBy,
    startedAt: status.startedAt,
    failure: status.failure ?? null,
  };
  return [
    JSON.stringify(header),
    ...status.steps.map((s) => JSON.stringify({ type: 'step', operationId: status.operationId, ...s })),
    ...status.logs.map((l) => JSON.stringify({ type: 'log', operationId: status.operationId, ...l })),
    ...status.decisions.map((d) => JSON.stringify({ type: 'decision', operationId: status.operationId, ...d })),
  ];
}

const duration = (ms: number | undefined) => (ms === undefined ? '' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * The runbook as a person reads it (and keeps before a rollback, as LCS's runbook download):
 * the operation, every step with its times, attempts and outcome, then the log in time order
 * with each step's messages, the decisions, the checks and what was left on disk.
 */
export function runbookText(status: OperationStatus): string[] {
  const route = [status.source, status.target].filter(Boolean).join(' -> ');
  const out = [
    `Runbook of ${status.operationId}`,
    `  operation     ${status.kind} ${route}`,
    `  requested by  ${status.requestedBy}`,
    `  started       ${status.startedAt}`,
    `  phase         ${status.phase}`,
  ];
  if (status.marker) out.push(`  marker        ${status.marker.environment} at ${status.marker.at} (${status.marker.restorePoint})`);
  if (status.unavailableWindowMs !== undefined) out.push(`  unavailable   ${status.unavailableWindowMs.toFixed(2)} ms`);
  if (status.signedOff)
    out.push(`  signed off    by ${status.signedOff.by} at ${status.signedOff.at}${status.signedOff.note ? ` (${status.signedOff.note})` : ''}`);
  if (status.rolledBack) out.push(`  rolled back   at ${status.rolledBack.at}${status.rolledBack.restoredTo ? ` to ${status.rolledBack.restoredTo}` : ''}`);
  if (status.failure) {
    out.push(`  failure       ${status.failure.step}: ${status.failure.message}`);
    out.push(`  retry         ${status.failure.choices.retry}`);
    if (status.failure.choices.rollback) out.push(`  rollback      ${status.failure.choices.rollback}`);
  }
  out.push('', 'Steps');
  out.push(`  ${'step'.padEnd(11)} ${'status'.padEnd(9)} ${'started'.padEnd(24)} ${'ended'.padEnd(24)} ${'took'.padStart(9)}  attempts  outcome`);
  for (const s of status.steps) {
    out.push(
      `  ${s.name.padEnd(11)} ${s.status.padEnd(9)} ${(s.startedAt ?? '').padEnd(24)} ${(s.endedAt ?? '').padEnd(24)} ${duration(s.durationMs).padStart(9)}  ${String(s.attempts).padStart(8)}  ${s.error ?? s.summary ?? ''}`,
    );
  }
  if (status.checks.length) {
    out.push('', 'PRECHECK');
    for (const c of status.checks)
      out.push(`  ${c.ok ? 'ok  ' : c.severity === 'warning' ? 'warn' : 'FAIL'}  ${c.message}${!c.ok && c.fix ? ` (fix: ${c.fix})` : ''}`);
  }
  out.push('', 'Log');
  for (const l of status.logs) out.push(`  ${l.at}  ${l.level.toUpperCase().padEnd(5)} ${(l.step ?? '').padEnd(10)} ${l.message}`);
  if (status.decisions.length) {
    out.push('', 'Decisions');
    for (const d of status.decisions)
      out.push(
        `  ${d.at}  ${d.kind.padEnd(8)} ${d.accepted ? 'accepted' : 'REFUSED '} from ${d.by} (${d.via})${d.note ? `: ${d.note}` : ''}${d.reason ? `; ${d.reason}` : ''}`,
      );
  }
  if (status.holdings.length) {
    out.push('', 'Holds on disk');
    for (const h of status.holdings) out.push(`  ${h.kind} ${h.location}${h.bytes !== undefined ? ` (${h.bytes} bytes)` : ''}`);
  }
  return out;
}

export const registerLogs: Register = (program, ctx) => {
  program
    .command('logs <operation>')
    .description(
      'The runbook log of an operation (every step with its times, every log line, decision and failure), to read or to keep before a rollback: JSON lines for programs, or --format text for people.',
    )
    .option('--output <file>', 'write the log to a file instead of standard output')
    .option('--format <format>', 'jsonl (one JSON object a line) or text (a readable runbook)', oneOf('jsonl', 'text'), 'jsonl')
    .addHelpText(
      'after',
      '\nExamples:\n  dbmove logs uat --format text\n  dbmove logs uat --output runbook.jsonl\n  dbmove logs uat --format text --output runbook.txt',
    )
    .action(async (ref: string, opts: { output?: string; format: 'jsonl' | 'text' }) => {
      const unusable = opts.output === undefined ? undefined : unwritableNewFileProblem(opts.output, { mayExist: true });
      if (unusable) throw new UsageError(`--output: ${unusable}`);
      const resolved = await resolveForReading(ctx, ref);
      const status = await getStatusWhenReady(ctx, resolved.workflowId, 10_000);
      const lines = opts.format === 'text' ? runbookText(status) : runbookJsonLines(status);
      const text = `${lines.join('\n')}\n`;
      if (opts.output) {
        fs.writeFileSync(opts.output, text);
        process.stdout.write(`Wrote the runbook of ${status.operationId} (${lines.length} lines, ${opts.format}) to ${opts.output}\n`);
      } else {
        process.stdout.write(text);
      }
    });
};
