import { dim } from '../render';
import { Option } from 'commander';
import { integer, printJson, Register } from './shared';

export const registerDemo: Register = (program, ctx) => {
  program
    .command('demo')
    .description(
      'Create the demo estate: a production environment and two sandboxes (uat, train) shaped like Finance and Operations, on the embedded SQLite engine.',
    )
    .option('--rows <n>', 'business rows in production (customers, vendors, ledger entries)', integer(100, 50_000_000), 100_000)
    .option('--fresh', 'replace an existing demo estate (as `dbmove start --fresh` does)')
    .addOption(new Option('--force').hideHelp())
    .option('--json', "print each environment's name, type and database file as JSON")
    .addHelpText('after', '\nExamples:\n  dbmove demo\n  dbmove demo --rows 1000000 --fresh\n  dbmove demo --json')
    .action(async (opts: { rows: number; fresh?: boolean; force?: boolean; json?: boolean }) => {
      const { createDemoEstate } = await import('../../demo/estate');
      const started = Date.now();
      const environments = createDemoEstate({
        home: ctx.home.root,
        catalogFile: ctx.home.catalogFile,
        rows: opts.rows,
        force: opts.fresh || opts.force,
        onProgress: opts.json ? undefined : (line) => process.stdout.write(`${line}\n`),
      });
      if (opts.json) return printJson(environments);
      process.stdout.write(
        `${dim(
          `Demo estate ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: npm start, or run uat's application server (dbmove app-server --environment uat) and a worker (dbmove worker), then dbmove refresh --source prod --target uat --wait`,
        )}\n`,
      );
    });
};
