#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../config/package-root';
import { CliContext } from './context';
import { EXIT, exitCodeFor } from '../common/errors';
import { red } from './render';

/** The version in package.json, read at run time: dist/ does not carry a copy of the file. */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

type Registrar = (program: Command, ctx: CliContext) => void;

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Every command, by the names it registers, in the order `--help` lists them. Each module is
 * required only when its command runs (or when the whole list is needed, for help or an
 * unknown command): `dbmove status` never loads the code of `dbmove start`.
 */
const COMMANDS: [names: string[], load: () => Registrar][] = [
  [['start'], () => require('./commands/start').registerStart],
  [['server'], () => require('./commands/server').registerServer],
  [['worker'], () => require('./commands/worker').registerWorker],
  [['demo'], () => require('./commands/demo').registerDemo],
  [['refresh'], () => require('./commands/refresh').registerRefresh],
  [['export', 'import', 'restore', 'restore-points'], () => require('./commands/backups').registerBackups],
  [['status'], () => require('./commands/status').registerStatus],
  [['sign-off', 'rollback', 'retry'], () => require('./commands/decisions').registerDecisions],
  [['cancel'], () => require('./commands/cancel').registerCancel],
  [['logs'], () => require('./commands/logs').registerLogs],
  [['history'], () => require('./commands/history').registerHistory],
  [['list'], () => require('./commands/list').registerList],
  [['schedule'], () => require('./commands/schedule').registerSchedule],
  [['plan'], () => require('./commands/plan').registerPlan],
  [['codec-server'], () => require('./commands/codec-server').registerCodecServer],
  [['app-server'], () => require('./commands/app-server').registerAppServer],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every command name, for the documentation test. */
export const COMMAND_NAMES = COMMANDS.flatMap(([names]) => names);

/** `only`: the command about to run; every command is registered when it is not one of them. */
export function buildProgram(ctx: CliContext, only?: string): Command {
  const program = new Command('dbmove')
    .description(
      'Durable database movement for ERP environments shaped like Dynamics 365 Finance and Operations: refresh, export, import, point-in-time restore, rollback and sign-off, on Temporal.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run dbmove --help, or dbmove <command> --help, for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(red(text)) });
  const one = COMMANDS.find(([names]) => only !== undefined && names.includes(only));
  for (const [, load] of one ? [one] : COMMANDS) load()(program, ctx);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * A reader that closed the pipe (`dbmove list --json | head`, `dbmove logs | head -1`) has
 * all it wanted: stop quietly, as `cat` does, instead of dying on EPIPE with a stack trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
}

/** Exit codes: one rule for every command (common/errors.ts, `exitCodeFor`). */
export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  const ctx = new CliContext();
  try {
    await buildProgram(ctx, argv[2]).parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const error = err as Error;
    process.stderr.write(`${red(`dbmove: ${error.message}`)}\n`);
    if (process.env.DBMOVE_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
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
