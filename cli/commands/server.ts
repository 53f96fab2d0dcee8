import * as path from 'node:path';
import { OperationFailed } from '../../common/errors';
import { integer, Register } from './shared';

export const registerServer: Register = (program, ctx) => {
  program
    .command('server')
    .description(
      'Run the local Temporal dev server (persistent, with the Web UI) in the foreground. Builds the Temporal CLI from the Go module proxy the first time if it is not on PATH.',
    )
    .option('--port <port>', 'frontend gRPC port', integer(1, 65535))
    .option('--ui-port <port>', 'Web UI port', integer(1, 65535))
    .action(async (opts: { port?: number; uiPort?: number }) => {
      const { isReachable, startDevServer } = await import('../../server/dev-server');
      const config = ctx.temporal();
      const port = opts.port ?? config.devServer.port;
      if (await isReachable(`localhost:${port}`))
        throw new OperationFailed(`A Temporal server already answers on localhost:${port}; use it, or pick another --port`);
      const server = await startDevServer({
        dbFile: path.resolve(ctx.home.root, config.devServer.dbFile),
        port,
        uiPort: opts.uiPort ?? config.devServer.uiPort,
        namespace: config.namespace,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(
        `Temporal dev server on ${server.address}, Web UI ${server.uiUrl} (${server.how}). Ctrl-C stops it; its state is kept in ${config.devServer.dbFile}.\n`,
      );
      const stop = () => void server.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await server.exited;
    });
};
