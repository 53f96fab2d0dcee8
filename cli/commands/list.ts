import { DbmoveOperation, DbmovePhase, DbmoveSource, DbmoveTarget } from '../../workflows/search-attributes';
import { heldEnvironments } from '../../client/leases';
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
    .action(async (opts: { all?: boolean; environments?: boolean; limit: number; json?: boolean }) => {
      if (opts.environments) {
        const catalog = ctx.catalog();
        const client = await ctx.client().catch(() => undefined);
        const holders = client ? await heldEnvironments(client, ctx.temporal().taskQueue) : new Map<string, string>();
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
      const client = await ctx.client();
      const kinds = OPERATION_KINDS.map((t) => `'${t}'`).join(', ');
      const query = `DbmoveOperation IN (${kinds})${opts.all ? '' : " AND ExecutionStatus = 'Running'"}`;
      const rows: Record<string, unknown>[] = [];
      for await (const w of client.workflow.list({ query })) {
        const sa = w.typedSearchAttributes;
        rows.push({
          operationId: w.workflowId,
          kind: sa.get(DbmoveOperation) ?? w.type,
          source: sa.get(DbmoveSource) ?? null,
          target: sa.get(DbmoveTarget) ?? null,
          phase: sa.get(DbmovePhase) ?? null,
          status: w.status.name,
          startedAt: w.startTime.toISOString(),
          closedAt: w.closeTime?.toISOString() ?? null,
        });
        if (rows.length >= opts.limit) break;
      }
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
