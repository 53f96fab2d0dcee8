import { createDemoEstate } from '../../demo/estate';
import { dim } from '../render';
import { integer, printJson, Register } from './shared';

export const registerDemo: Register = (program, ctx) => {
  program
    .command('demo')
    .description(
      'Create the demo estate: a production environment and two sandboxes (uat, train) shaped like Finance and Operations, on the embedded SQLite engine.',
    )
    .option('--rows <n>', 'business rows in production (customers, vendors, ledger entries)', integer(100, 50_000_000), 100_000)
    .option('--force', 'replace an existing demo estate')
    .option('--json', "print each environment's name, type and database file as JSON")
    .action((opts: { rows: number; force?: boolean; json?: boolean }) => {
      const started = Date.now();
      const environments = createDemoEstate({
        home: ctx.home.root,
        catalogFile: ctx.home.catalogFile,
        rows: opts.rows,
        force: opts.force,
        onProgress: opts.json ? undefined : (line) => process.stdout.write(`${line}\n`),
      });
      if (opts.json) return printJson(environments);
      process.stdout.write(
        `${dim(`Demo estate ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: dbmove refresh --source prod --target uat --wait`)}\n`,
      );
    });
};
