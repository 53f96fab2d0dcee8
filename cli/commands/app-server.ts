import { UsageError } from '../../common/errors';
import { startAppServer } from '../../demo/app-server';
import { demoApplicationPort } from '../../demo/app-catalog';
import { integer, Register, requireEnvironment } from './shared';

/**
 * `dbmove app-server --environment uat`: the demo application server of one sandbox (what
 * `npm start` runs for each), standing in for F&O's AOS: it keeps the environment's database
 * open, caches its users, and answers the stop, start, health and sign-in requests SWAP sends.
 */
export const registerAppServer: Register = (program, ctx) => {
  program
    .command('app-server')
    .description(
      "Run the demo application server of an environment of the embedded engine (F&O's AOS stand-in: web and batch services, health, Admin sign-in), in the foreground.",
    )
    .requiredOption('--environment <env>', 'the environment whose database it serves')
    .option('--port <n>', "port to listen on on 127.0.0.1 (default: the one its catalog entry's application block names)", integer(1, 65535))
    .option('--token-env <NAME>', 'require "Authorization: Bearer <value of NAME>" on its service endpoints')
    .action(async (opts: { environment: string; port?: number; tokenEnv?: string }) => {
      const env = await requireEnvironment(ctx, opts.environment, 'environment');
      if (env.engine !== 'local')
        throw new UsageError(`--environment: ${env.name} is not on the embedded engine; the demo application server serves SQLite databases only`);
      const port = opts.port ?? demoApplicationPort(env.application);
      if (port === undefined)
        throw new UsageError(`--port: ${env.name}'s catalog entry names no demo application server (application.services on 127.0.0.1); give --port`);
      let token: string | undefined;
      if (opts.tokenEnv) {
        token = process.env[opts.tokenEnv];
        if (token === undefined) throw new UsageError(`--token-env: ${opts.tokenEnv} is not set`);
      }
      const server = await startAppServer({
        environment: env.name,
        database: env.database.path,
        port,
        token,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
};
