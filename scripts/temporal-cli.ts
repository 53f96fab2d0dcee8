import { locateTemporalCli } from '../server/temporal-cli';

/** `npm run temporal-cli`: finds the Temporal CLI, building the pinned version if needed, and prints its path. */
locateTemporalCli({ build: true, log: (line) => process.stderr.write(`${line}\n`) })
  .then((cli) => {
    if (!cli) {
      process.stderr.write('No Temporal CLI on PATH and no Go toolchain to build one. Install Go, or put `temporal` on PATH.\n');
      process.exit(1);
    }
    process.stdout.write(`${cli.path}\n`);
  })
  .catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
