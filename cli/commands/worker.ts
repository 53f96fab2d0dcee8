import { Register } from './shared';

export const registerWorker: Register = (program, ctx) => {
  program
    .command('worker')
    .description(
      'Run a dbmove worker in the foreground: it executes operations for the catalog in this directory. Ctrl-C stops it; operations wait durably for the next worker.',
    )
    .action(async () => {
      const { faultsOf, installRuntimeLogging, startWorker } = await import('../../worker/run-worker');
      // Bad configuration is reported before the native runtime starts, so it exits 2 cleanly.
      const config = ctx.temporal();
      const faults = faultsOf(process.env, ctx.home);
      installRuntimeLogging();
      const worker = await startWorker(ctx.home, config);
      process.stderr.write(
        `dbmove worker polling task queue "${config.taskQueue}" on ${config.address} (namespace ${config.namespace}); catalog ${ctx.home.catalogFile}${faults.active ? `; FAULTS INJECTED: ${faults.describe()}` : ''}\n`,
      );
      await worker.run();
    });
};
