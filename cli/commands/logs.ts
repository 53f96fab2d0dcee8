import * as fs from 'node:fs';
import { findOperation } from '../../client/operations';
import { getStatusWhenReady } from './status';
import { Register } from './shared';
import { UsageError } from '../../common/errors';
import { unwritableNewFileProblem } from '../../config/files';

export const registerLogs: Register = (program, ctx) => {
  program
    .command('logs <operation>')
    .description('The runbook log of an operation as JSON lines (every step, note, decision and failure), to read or keep before a rollback.')
    .option('--output <file>', 'write the log to a file instead of standard output')
    .action(async (ref: string, opts: { output?: string }) => {
      const unusable = opts.output === undefined ? undefined : unwritableNewFileProblem(opts.output, { mayExist: true });
      if (unusable) throw new UsageError(`--output: ${unusable}`);
      const client = await ctx.client();
      const handle = await findOperation(client, ref);
      const status = await getStatusWhenReady(client, handle, 10_000);
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
      const lines = [
        JSON.stringify(header),
        ...status.steps.map((s) => JSON.stringify({ type: 'step', operationId: status.operationId, ...s })),
        ...status.logs.map((l) => JSON.stringify({ type: 'log', operationId: status.operationId, ...l })),
        ...status.decisions.map((d) => JSON.stringify({ type: 'decision', operationId: status.operationId, ...d })),
      ];
      const text = `${lines.join('\n')}\n`;
      if (opts.output) {
        fs.writeFileSync(opts.output, text);
        process.stdout.write(`Wrote ${lines.length} lines for ${status.operationId} to ${opts.output}\n`);
      } else {
        process.stdout.write(text);
      }
    });
};
