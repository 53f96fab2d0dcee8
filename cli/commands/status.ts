import type { OperationStatus } from '../../workflows/types';
import type { CliContext } from '../context';
import { renderStatus, statusJson } from '../render';
import { printJson, Register } from './shared';

/** Status right after a start: the first workflow task may still be on its way. */
export async function getStatusWhenReady(ctx: CliContext, workflowId: string, timeoutMs = 15_000): Promise<OperationStatus> {
  const { getStatus, OperationNotFoundError } = await import('../../client/operations');
  const reader = await ctx.reader();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await getStatus(reader, { workflowId });
    } catch (err) {
      if ((err as Error).name === 'ExecutionNotFound') throw new OperationNotFoundError(workflowId, 'Temporal has no workflow with that id');
      if (Date.now() > deadline || (err as Error).name === 'TemporalUnreachable') throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Resolves `ref` (an id, or an environment name) for a command that only reads. */
export async function resolveForReading(ctx: CliContext, ref: string) {
  const { resolveOperation } = await import('../../client/operations');
  return resolveOperation(await ctx.reader(), ref, { environments: () => ctx.environmentNames(), trustIds: true, taskQueue: ctx.temporal().taskQueue });
}

export const registerStatus: Register = (program, ctx) => {
  program
    .command('status <operation>')
    .description(
      "Where an operation stands: phase, steps with times, the running step's progress (elapsed, percent, time left, silence), marker, unavailable window, holdings, decisions, what to do next. <operation> is an operation id, or an environment's name: the newest operation that targets it (or, marked as such, the newest export of it).",
    )
    .option('--json', 'print the full status as JSON')
    .option('--watch', 'follow the operation with live progress until it rests (waits for a decision, or ends); re-attaches to any operation')
    .addHelpText('after', '\nExamples:\n  dbmove status uat\n  dbmove status refresh-uat-20261124t034013z-bffb --json\n  dbmove status uat --watch')
    .action(async (ref: string, opts: { json?: boolean; watch?: boolean }) => {
      const resolved = await resolveForReading(ctx, ref);
      const webUrl = ctx.workflowUrl(resolved.workflowId);
      const note = resolved.matchedBy === 'source' ? `(${ref} is this export's source: exports belong to the environment they read)` : undefined;
      let status: OperationStatus;
      if (opts.watch) {
        const { displayFor, followWithProgress } = await import('../progress');
        if (note && !opts.json) process.stdout.write(`${note}\n`);
        status = await followWithProgress(await ctx.reader(), resolved, { display: displayFor(Boolean(opts.json)) });
        if (!opts.json) process.stdout.write('\n');
      } else {
        status = await getStatusWhenReady(ctx, resolved.workflowId, 10_000);
      }
      if (opts.json) printJson(statusJson(status, { webUrl, logs: status.logs, matchedBy: resolved.matchedBy }));
      else process.stdout.write(`${note && !opts.watch ? `${note}\n` : ''}${renderStatus(status, webUrl)}\n`);
    });
};
