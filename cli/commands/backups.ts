import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { parseDuration } from '../../config/durations';
import type { ExportInput, ImportInput, RestoreInput } from '../../workflows/types';
import { actor } from '../context';
import { UsageError } from '../../common/errors';
import { exactSpan } from '../../common/restore-plan';
import { unreadableFileProblem, unwritableNewFileProblem } from '../../config/files';
import { bold, dim } from '../render';
import { launch, refuseBeforeStart } from './launch';
import { oneOf, printJson, Register, requireEnvironment } from './shared';

/** Common options of operations that run long and may fail. */
function operationOptions(command: Command): Command {
  return command
    .option('--wait', 'follow the operation with live progress until it waits for sign-off or for a decision (exit 1 if it failed or was refused)')
    .option('--json', 'print one JSON object (operationId, phase, steps) instead of text')
    .option('--on-failure <what>', 'wait (pause in FAILED) or rollback (at once)', oneOf('wait', 'rollback'), 'wait')
    .option('--by <name>', 'who asks (recorded in the history)')
    .option('--id <operationId>', 'operation id to use');
}

/** The time `text` names, undefined when it names none (it may then be a restore point id). */
function restoreTimeOf(text: string, now: number): string | undefined {
  const ago = /^-(.+)$/.exec(text.trim());
  let at: number;
  if (ago) {
    try {
      at = now - parseDuration(ago[1]);
    } catch {
      throw new UsageError(`--to "${text}": a relative time is a minus sign and a duration, for example -2h`);
    }
  } else {
    at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(text.trim()) ? Date.parse(text) : NaN;
    if (Number.isNaN(at)) return undefined;
  }
  return new Date(at).toISOString();
}

export const registerBackups: Register = (program, ctx) => {
  operationOptions(
    program
      .command('export')
      .description("Export a database backup with the sensitive, environment-specific elements removed (the seeds' export list). The source is only read.")
      .requiredOption('--source <env>', 'environment to export')
      .requiredOption('--output <file>', 'backup file to write (never overwritten)'),
  ).action(async (opts: { source: string; output: string; wait?: boolean; json?: boolean; onFailure: 'wait' | 'rollback'; by?: string; id?: string }) => {
    await requireEnvironment(ctx, opts.source, 'source');
    const output = path.resolve(opts.output);
    const unusable = unwritableNewFileProblem(output);
    if (unusable) throw new UsageError(`--output: ${unusable}${fs.existsSync(output) ? '; an export never overwrites a file' : ''}`);
    const input: ExportInput = { source: opts.source, output, requestedBy: actor(opts.by), onFailure: opts.onFailure };
    await launch(ctx, 'export', 'exportDatabase', input, `export ${opts.source} → ${path.basename(output)}`, opts);
  });

  operationOptions(
    program
      .command('import')
      .description(
        'Import a backup written by `dbmove export` into a sandbox, then reconfigure it as the catalog says (mail, batch servers, help, batch jobs, users).',
      )
      .requiredOption('--input <file>', 'backup file to import')
      .requiredOption('--target <env>', 'sandbox to replace'),
  ).action(async (opts: { input: string; target: string; wait?: boolean; json?: boolean; onFailure: 'wait' | 'rollback'; by?: string; id?: string }) => {
    const target = await requireEnvironment(ctx, opts.target, 'target');
    const file = path.resolve(opts.input);
    const unreadable = unreadableFileProblem(file);
    if (unreadable) throw new UsageError(`--input: ${unreadable}. Give a backup file written by \`dbmove export\``);
    await refuseBeforeStart(ctx, { kind: 'import', target: opts.target }, opts, false);
    const { checkBackup } = await import('../../client/backups');
    try {
      await checkBackup(await ctx.engines(), target, file);
    } catch (err) {
      if ((err as Error).name === 'InvalidBackup') throw new UsageError(`--input: ${(err as Error).message}`);
      // Nothing was started: an engine that cannot import is bad usage, not a failed operation.
      if ((err as Error).name === 'UnsupportedByEngine') throw new UsageError(`--target ${opts.target}: ${(err as Error).message}`);
      throw err;
    }
    const input: ImportInput = { input: file, target: opts.target, requestedBy: actor(opts.by), onFailure: opts.onFailure };
    await launch(ctx, 'import', 'importDatabase', input, `import ${path.basename(file)} → ${opts.target}`, opts);
  });

  operationOptions(
    program
      .command('restore')
      .description(
        'Restore a sandbox to exactly the state it had at a point in time (see `dbmove restore-points`): a time whose state cannot be restored exactly is refused before anything starts, unless --nearest accepts the nearest earlier restorable state. The present state is marked first, so the restore can be rolled back.',
      )
      .requiredOption('--target <env>', 'sandbox to restore')
      .requiredOption('--to <time|point>', 'ISO time (2026-11-22T08:00:00Z), a duration ago (-2h), or a restore point id from `dbmove restore-points`')
      .option('--nearest', 'if that exact time cannot be restored, restore the latest state before it that can be (the status names its time)'),
  ).action(
    async (opts: {
      target: string;
      to: string;
      nearest?: boolean;
      wait?: boolean;
      json?: boolean;
      onFailure: 'wait' | 'rollback';
      by?: string;
      id?: string;
    }) => {
      const env = await requireEnvironment(ctx, opts.target, 'target');
      const time = restoreTimeOf(opts.to, Date.now());
      if (time !== undefined && Date.parse(time) > Date.now()) throw new UsageError(`--to ${time} is in the future: a restore goes back in time`);
      await refuseBeforeStart(ctx, { kind: 'restore', target: opts.target }, opts, false);
      const { checkRestore, restoreWindow } = await import('../../client/backups');
      const engines = await ctx.engines();
      const window = await restoreWindow(engines, env);
      const point = time === undefined ? window.points.find((p) => p.id === opts.to.trim()) : undefined;
      if (time === undefined && !point)
        throw new UsageError(
          `--to "${opts.to.slice(0, 60)}" is not a time: give an ISO time such as 2026-11-22T08:00:00Z, or -2h for two hours ago; nor is it a restore point of ${opts.target} (dbmove restore-points ${opts.target} lists them)`,
        );
      const request = point ? { to: point.at, point: point.id } : { to: time!, nearest: opts.nearest };
      // The rule PRECHECK and the engine apply again: exactly the time asked, or a refusal naming what can be restored.
      const decision = await checkRestore(engines, env, request, window);
      if (!decision.ok) throw new UsageError(`--to: ${decision.message}. Fix: ${decision.fix}`);
      const input: RestoreInput = { target: opts.target, ...request, requestedBy: actor(opts.by), onFailure: opts.onFailure };
      const what = decision.plan.exact ? `its state at ${decision.plan.stateAt}` : `its state at ${decision.plan.stateAt} (nearest to ${request.to})`;
      await launch(ctx, 'restore', 'restoreDatabase', input, `restore ${opts.target} to ${what}`, opts);
    },
  );

  program
    .command('restore-points <env>')
    .description(
      'What an environment can be restored to exactly: each kept restore point with the times whose state it holds (embedded engine), or the continuous window (Azure SQL, SQL Server).',
    )
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const env = await requireEnvironment(ctx, name, 'environment');
      const { restoreWindow } = await import('../../client/backups');
      const window = await restoreWindow(await ctx.engines(), env);
      if (opts.json) return printJson(window);
      if (!window.points.length && !window.continuous) {
        process.stdout.write(`Nothing is kept for ${name} yet: a restore point is taken at the start of every operation that replaces it.\n`);
        return;
      }
      if (window.continuous) {
        process.stdout.write(`${bold(name)}: exactly any time from ${window.earliest} to ${window.latest}\n`);
        return;
      }
      process.stdout.write(
        `${bold(name)} can be restored exactly to these times (any other time is refused, unless --nearest accepts the nearest earlier one):\n`,
      );
      for (const p of window.points) process.stdout.write(`  ${exactSpan(p).padEnd(51)}  ${p.description ?? ''} ${dim(p.id)}\n`);
    });
};
