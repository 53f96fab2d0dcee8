#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../config/package-root';
import { CliContext, EXIT } from './context';
import { registerAppServer } from './commands/app-server';
import { registerBackups } from './commands/backups';
import { registerCancel } from './commands/cancel';
import { registerCodecServer } from './commands/codec-server';
import { registerDecisions } from './commands/decisions';
import { registerDemo } from './commands/demo';
import { registerList } from './commands/list';
import { registerLogs } from './commands/logs';
import { registerPlan } from './commands/plan';
import { registerRefresh } from './commands/refresh';
import { registerSchedule } from './commands/schedule';
import { registerServer } from './commands/server';
import { registerStart } from './commands/start';
import { registerStatus } from './commands/status';
import { registerWorker } from './commands/worker';
import { red } from './render';
import { errorClassOf } from '../common/errors';

/** Exit codes: 0 success, 1 the operation failed or was refused, 2 bad usage (nothing was changed). */

/** The version in package.json, read at run time: dist/ does not carry a copy of the file. */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('dbmove')
    .description(
      'Durable database movement for ERP environments shaped like Dynamics 365 Finance and Operations: refresh, export, import, point-in-time restore, rollback and sign-off, on Temporal.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run dbmove --help, or dbmove <command> --help, for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(red(text)) });
  for (const register of [
    registerStart,
    registerServer,
    registerWorker,
    registerDemo,
    registerRefresh,
    registerBackups,
    registerStatus,
    registerDecisions,
    registerCancel,
    registerLogs,
    registerList,
    registerSchedule,
    registerPlan,
    registerCodecServer,
    registerAppServer,
  ]) {
    register(program, ctx);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const ctx = new CliContext();
  try {
    await buildProgram(ctx).parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const error = err as Error;
    process.stderr.write(`${red(`dbmove: ${error.message}`)}\n`);
    if (process.env.DBMOVE_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    return errorClassOf(error.name) === 'input' ? EXIT.usage : EXIT.failed;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
    // Native handles (gRPC, the Temporal runtime) can keep the loop alive after a command.
    setTimeout(() => process.exit(code), 100).unref();
  });
}
