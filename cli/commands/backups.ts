import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { parseDuration } from '../../config/durations';
import type { ExportInput, ImportInput, RestoreInput } from '../../workflows/types';
import { actor } from '../context';
import { UsageError } from '../../common/errors';
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

/** "2026-11-22T08:00:00Z", or a duration ago such as "-2h". */
export function parseRestoreTime(text: string, now = Date.now()): string {
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
    if (Number.isNaN(at))
      throw new UsageError(`--to "${text.slice(0, 60)}" is not a time: give an ISO time such as 2026-11-22T08:00:00Z, or -2h for two hours ago`);
  }
  if (at > now) throw new UsageError(`--to ${new Date(at).toISOString()} is in the future: a restore goes back in time`);
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
    if (fs.existsSync(output)) throw new UsageError(`--output ${output} already exists; an export never overwrites a file`);
    if (!fs.existsSync(path.dirname(output))) throw new UsageError(`--output: the folder ${path.dirname(output)} does not exist`);
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
    await refuseBeforeStart(ctx, { kind: 'import', target: opts.target }, opts, false);
    const file = path.resolve(opts.input);
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
      .description('Restore a sandbox to a point in time (see `dbmove restore-points`). The present state is marked first, so the restore can be rolled back.')
      .requiredOption('--target <env>', 'sandbox to restore')
      .requiredOption('--to <time>', 'ISO time (2026-11-22T08:00:00Z) or a duration ago (-2h)'),
  ).action(async (opts: { target: string; to: string; wait?: boolean; json?: boolean; onFailure: 'wait' | 'rollback'; by?: string; id?: string }) => {
    const env = await requireEnvironment(ctx, opts.target, 'target');
    const to = parseRestoreTime(opts.to);
    await refuseBeforeStart(ctx, { kind: 'restore', target: opts.target }, opts, false);
    const { checkRestore } = await import('../../client/backups');
    const check = await checkRestore(await ctx.engines(), env, to);
    if (!check.ok) throw new UsageError(`--to: ${check.message}; ${check.fix}`);
    const input: RestoreInput = { target: opts.target, to, requestedBy: actor(opts.by), onFailure: opts.onFailure };
    await launch(ctx, 'restore', 'restoreDatabase', input, `restore ${opts.target} to ${input.to}`, opts);
  });

  program
    .command('restore-points <env>')
    .description('What an environment can be restored to: the kept restore points (embedded engine) or the continuous window (Azure SQL).')
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
      process.stdout.write(`${bold(name)}: ${window.continuous ? 'any time' : 'these points'} from ${window.earliest} to ${window.latest}\n`);
      for (const p of window.points) process.stdout.write(`  ${p.at}  ${p.description ?? ''} ${dim(p.id)}\n`);
    });
};
