import { bold, dim, phaseText } from '../render';
import { integer, printJson, Register } from './shared';

export const OPERATION_KINDS = ['refresh', 'export', 'import', 'restore'];

export const registerList: Register = (program, ctx) => {
  program
    .command('list')
    .description('Operations (open ones unless --all), newest first; or, with --environments, the catalog and who holds each environment.')
    .option('--all', 'include closed operations')
    .option('--environments', 'list the environments of the catalog instead')
    .option('--limit <n>', 'at most this many operations', integer(1, 1000), 50)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  dbmove list\n  dbmove list --all --json\n  dbmove list --environments')
    .action(async (opts: { all?: boolean; environments?: boolean; limit: number; json?: boolean }) => {
      const reader = await ctx.reader();
      if (opts.environments) {
        const catalog = ctx.catalog();
        const taskQueue = ctx.temporal().taskQueue;
        // Who holds each environment: its running lease workflow (workflows/lease.ts), one list call.
        const leases = await reader
          .list(`WorkflowType = 'environmentLease' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`, 1000)
          .catch(() => []);
        const holders = new Map(
          leases.map((l) => [l.workflowId.replace(/^dbmove-lease-/, '').replace(new RegExp(`@${taskQueue}$`), ''), l.parentWorkflowId ?? '?']),
        );
        const rows = catalog.environments.map((e) => ({
          name: e.name,
          type: e.type,
          engine: e.engine,
          database: e.engine === 'local' ? e.database.path : `${e.database.server}/${e.database.database}`,
          heldBy: holders.get(e.name) ?? null,
        }));
        if (opts.json) return printJson(rows);
        for (const r of rows)
          process.stdout.write(
            `${bold(r.name.padEnd(12))} ${r.type.padEnd(10)} ${r.engine.padEnd(9)} ${r.database}${r.heldBy ? `  held by ${r.heldBy}` : ''}\n`,
          );
        return;
      }
      const kinds = OPERATION_KINDS.map((t) => `'${t}'`).join(', ');
      const { taskQueueClause } = await import('../../client/operations');
      const query = `DbmoveOperation IN (${kinds})${opts.all ? '' : " AND ExecutionStatus = 'Running'"}${taskQueueClause(ctx.temporal().taskQueue)}`;
      const found = (await reader.list(query, opts.all ? Math.max(opts.limit, 1000) : opts.limit)).sort(
        (a, b) => b.startTime.getTime() - a.startTime.getTime(),
      );
      const rows = found.slice(0, opts.limit).map((w) => ({
        operationId: w.workflowId,
        kind: (w.searchAttributes.DbmoveOperation as string | undefined) ?? w.type,
        source: (w.searchAttributes.DbmoveSource as string | undefined) ?? null,
        target: (w.searchAttributes.DbmoveTarget as string | undefined) ?? null,
        phase: (w.searchAttributes.DbmovePhase as string | undefined) ?? null,
        status: w.status,
        startedAt: w.startTime.toISOString(),
        closedAt: w.closeTime?.toISOString() ?? null,
      }));
      if (opts.json) return printJson(rows);
      if (!rows.length) process.stdout.write(opts.all ? 'No operations yet.\n' : 'No open operations (dbmove list --all shows closed ones).\n');
      for (const r of rows) {
        const route = [r.source, r.target].filter(Boolean).join(' → ');
        process.stdout.write(
          `${bold(String(r.operationId))}  ${String(r.kind).padEnd(7)} ${route.padEnd(16)} ${phaseText(String(r.phase ?? r.status))}  ${dim(String(r.startedAt))}\n`,
        );
      }
    });
};
