import { locateServerBinaries } from '../server/cluster/server-build';

/** `npm run temporal-server`: finds Temporal Server and its SQL tool in .cache/, building them once if missing; prints their paths. */
locateServerBinaries((line) => process.stderr.write(`${line}\n`))
  .then((binaries) => process.stdout.write(`${binaries.server}\n${binaries.sqlTool}\n`))
  .catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
