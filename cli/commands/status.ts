import { Client, WorkflowHandle } from '@temporalio/client';
import type { OperationStatus } from '../../workflows/types';
import { findOperation, getStatus } from '../../client/operations';
import { renderStatus, statusJson } from '../render';
import { printJson, Register } from './shared';

/** Status right after a start: the first workflow task may still be on its way. */
export async function getStatusWhenReady(client: Client, handle: WorkflowHandle, timeoutMs = 15_000): Promise<OperationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await getStatus(client, handle);
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${handle.workflowId} does not answer its status query: is a dbmove worker running on this task queue? (${(err as Error).message})`, {
          cause: err,
        });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export const registerStatus: Register = (program, ctx) => {
  program
    .command('status <operation>')
    .description(
      'Where an operation stands: phase, steps with times and rows, marker, unavailable window, holdings, what to do next. <operation> is an operation id or an environment name.',
    )
    .option('--json', 'print the full status as JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const client = await ctx.client();
      const handle = await findOperation(client, ref);
      const status = await getStatusWhenReady(client, handle, 10_000);
      if (opts.json) printJson(statusJson(status, { webUrl: ctx.workflowUrl(handle.workflowId), logs: status.logs }));
      else process.stdout.write(`${renderStatus(status, ctx.workflowUrl(handle.workflowId))}\n`);
    });
};
