import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { RunningServer } from '../../server/dev-server';
import type { AppServerProcess } from '../../demo/app-servers';
import type { RefreshInput } from '../../workflows/types';
import { actor } from '../context';
import { bold, dim, green, renderStatus } from '../render';
import { integer, Register } from './shared';

/**
 * `npm start`: the whole product on a laptop in one command. Temporal dev server (unless one
 * answers already), the demo estate (unless it exists), each sandbox's demo application
 * server (which SWAP stops and starts, and through which Admin signs in after it), a worker,
 * and a demo refresh with live progress; then the Web UI link and the sign-off command, and
 * the stack stays up until Ctrl-C. Run it again and it picks up where it was: operations are
 * durable.
 */
export const registerStart: Register = (program, ctx) => {
  program
    .command('start')
    .description(
      "Run the local stack in the foreground (Temporal dev server, demo estate, the sandboxes' demo application servers, worker) and a demo refresh with live progress. Ctrl-C stops everything.",
    )
    .option('--rows <n>', 'business rows in the demo production database, when it is created', integer(100, 50_000_000), 100_000)
    .option('--source <env>', 'environment to refresh from', 'prod')
    .option('--target <env>', 'sandbox to refresh', 'uat')
    .option('--fresh', 'recreate the demo estate first')
    .action(async (opts: { rows: number; source: string; target: string; fresh?: boolean }) => {
      const { isReachable, startDevServer } = await import('../../server/dev-server');
      const { installRuntimeLogging, startWorker } = await import('../../worker/run-worker');
      const { createDemoEstate } = await import('../../demo/estate');
      const { startDemoAppServers } = await import('../../demo/app-servers');
      const { startOperation } = await import('../../client/operations');
      const { followWithProgress } = await import('../progress');
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const logs = path.join(ctx.home.stateDir, 'logs');
      fs.mkdirSync(logs, { recursive: true });
      installRuntimeLogging(path.join(logs, 'worker.log'), { handleSignals: false });
      const config = ctx.temporal();
      const stopping = new AbortController();
      process.once('SIGINT', () => stopping.abort());
      process.once('SIGTERM', () => stopping.abort());

      let server: RunningServer | undefined;
      if (await isReachable(config.address)) {
        say(`${green('✔')} Temporal answers at ${config.address}; using it`);
      } else {
        say(`▶ Starting the Temporal dev server (state kept in ${config.devServer.dbFile}, log in ${path.relative(ctx.home.root, logs)}/temporal.log)`);
        server = await startDevServer({
          dbFile: path.resolve(ctx.home.root, config.devServer.dbFile),
          port: config.devServer.port,
          uiPort: config.devServer.uiPort,
          namespace: config.namespace,
          log: (line) => say(dim(`  ${line}`)),
          logFile: path.join(logs, 'temporal.log'),
        });
        say(`${green('✔')} Temporal dev server on ${server.address}, Web UI ${server.uiUrl}`);
      }

      const estateMissing =
        !fs.existsSync(ctx.home.catalogFile) || ctx.catalog().environments.some((e) => e.engine === 'local' && !fs.existsSync(e.database.path));
      if (estateMissing || opts.fresh) {
        say(`▶ Creating the demo estate (${opts.rows.toLocaleString('en-US')} business rows in production)`);
        createDemoEstate({ home: ctx.home.root, catalogFile: ctx.home.catalogFile, rows: opts.rows, force: true, onProgress: (line) => say(dim(`  ${line}`)) });
      } else {
        say(
          `${green('✔')} Demo estate found (${ctx
            .catalog()
            .environments.map((e) => e.name)
            .join(', ')}); --fresh recreates it`,
        );
      }

      let apps: AppServerProcess[];
      try {
        apps = await startDemoAppServers(ctx.catalog(), { logDir: logs });
      } catch (err) {
        await server?.stop();
        throw err;
      }
      for (const app of apps)
        say(
          app.child
            ? `${green('✔')} Application server of ${app.environment} on http://127.0.0.1:${app.port} (log in ${path.relative(ctx.home.root, logs)}/app-${app.environment}.log)`
            : `${green('✔')} An application server already answers for ${app.environment} on port ${app.port}; using it`,
        );

      const worker = await startWorker(ctx.home, config);
      const running = worker.run();
      say(`${green('✔')} Worker polling task queue "${config.taskQueue}" (log in ${path.relative(ctx.home.root, logs)}/worker.log)`);

      const client = await ctx.client();
      let handle: WorkflowHandle | undefined;
      for await (const open of client.workflow.list({ query: `DbmoveTarget = '${opts.target}' AND ExecutionStatus = 'Running'` })) {
        handle = client.workflow.getHandle(open.workflowId);
        say(`${green('✔')} ${opts.target} already has an open operation, ${open.workflowId}; following it`);
        break;
      }
      if (!handle) {
        const input: RefreshInput = { source: opts.source, target: opts.target, requestedBy: actor(undefined) };
        handle = await startOperation(client, 'refresh', 'refresh', input, { taskQueue: config.taskQueue }, `refresh ${opts.source} → ${opts.target}`);
        say(`▶ Refreshing ${opts.target} from ${opts.source}: ${handle.workflowId}\n`);
      }

      try {
        const status = await followWithProgress(client, handle, { display: process.stdout.isTTY ? 'live' : 'lines', signal: stopping.signal });
        say(`\n${renderStatus(status)}\n`);
        say(`${bold('Web UI')}     ${ctx.workflowUrl(handle.workflowId)}`);
        if (status.phase === 'AWAITING_SIGNOFF' || status.phase === 'ROLLED_BACK') {
          say(`${bold('Sign off')}   npx dbmove sign-off ${opts.target}      (or send the signOff signal from the Web UI with {"by": "you"})`);
          if (status.phase === 'AWAITING_SIGNOFF') say(`${bold('Roll back')}  npx dbmove rollback ${opts.target}`);
        } else if (status.phase === 'FAILED') {
          say(
            `${bold('Retry')}      npx dbmove retry ${opts.target}\n${bold('Roll back')}  npx dbmove rollback ${opts.target}\n${bold('Logs')}       npx dbmove logs ${opts.target} --output runbook.jsonl`,
          );
        }
        if (!stopping.signal.aborted)
          say(dim('\nThe local stack keeps running for the Web UI and your decision. Ctrl-C stops it; the operation waits durably for the next start.'));
        await watchUntilStopped(handle, stopping.signal, say);
      } finally {
        say(dim('Stopping the worker, the application servers and the dev server...'));
        worker.shutdown();
        await running;
        for (const app of apps) await app.stop();
        await server?.stop();
        await ctx.close();
        say('Stopped.');
      }
    });
};

/** While the stack stays up, report when the operation closes (signed off from anywhere). */
async function watchUntilStopped(handle: WorkflowHandle, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  let reported = false;
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 500));
    if (reported) continue;
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        say(`${green('✔')} ${handle.workflowId} closed: ${description.status.name}. Ctrl-C stops the local stack.`);
        reported = true;
      }
    } catch {
      /* the server may be busy; try again */
    }
  }
}
