import { actor } from '../context';
import { UsageError } from '../../common/errors';
import type { ScheduleRow } from '../../client/schedules';
import { oneOf, printJson, Register, requireEnvironment } from './shared';

function renderRow(row: ScheduleRow): string {
  const state = row.paused ? `PAUSED${row.note ? ` (${row.note})` : ''}` : 'active';
  const lines = [
    `${row.scheduleId}  refresh ${row.source ?? '?'} → ${row.target ?? '?'}  ${row.when}  ${state}${row.autoSignOff ? '  auto sign-off' : ''}`,
    `  next: ${row.paused ? '(paused)' : row.nextRuns.join(', ') || '(none)'}`,
  ];
  if (row.recentRuns.length) lines.push(`  last: ${row.recentRuns.at(-1)!.workflowId}`);
  return lines.join('\n');
}

export const registerSchedule: Register = (program, ctx) => {
  const schedule = program
    .command('schedule')
    .description('Recurring refreshes on Temporal Schedules (a tick is skipped while the previous refresh is still open).');

  schedule
    .command('create')
    .description('Schedule a recurring refresh. Without --auto-sign-off each run waits for sign-off like any other refresh.')
    .requiredOption('--source <env>', 'environment to copy from (never written)')
    .requiredOption('--target <env>', 'sandbox to refresh')
    .option('--cron <expression>', 'five-field cron, e.g. "0 2 * * SUN" (02:00 every Sunday)')
    .option('--every <duration>', 'or a fixed interval, e.g. 1d or 12h')
    .option('--timezone <iana>', 'time zone of the cron expression', 'UTC')
    .option('--auto-sign-off', 'sign off automatically, and only, once VERIFY passed and SWAP completed')
    .option('--on-failure <what>', 'wait: pause in FAILED for a decision; rollback: roll back at once', oneOf('wait', 'rollback'), 'wait')
    .option('--id <scheduleId>', 'schedule id (default refresh-<target>-from-<source>)')
    .option('--by <name>', 'who creates it (recorded in each run)')
    .option('--json', 'print the schedule as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  dbmove schedule create --source prod --target train --cron "0 2 * * SUN"\n  dbmove schedule create --source prod --target train --cron "0 2 * * SUN" --auto-sign-off',
    )
    .action(
      async (opts: {
        source: string;
        target: string;
        cron?: string;
        every?: string;
        timezone: string;
        autoSignOff?: boolean;
        onFailure: 'wait' | 'rollback';
        id?: string;
        by?: string;
        json?: boolean;
      }) => {
        await requireEnvironment(ctx, opts.source, 'source');
        await requireEnvironment(ctx, opts.target, 'target');
        const { refreshScheduleOptions, listRefreshSchedules } = await import('../../client/schedules');
        // Validated before connecting: a bad --cron is bad usage even when Temporal is down.
        const scheduled = refreshScheduleOptions({
          source: opts.source,
          target: opts.target,
          cron: opts.cron,
          every: opts.every,
          timezone: opts.timezone,
          autoSignOff: Boolean(opts.autoSignOff),
          onFailure: opts.onFailure,
          createdBy: actor(opts.by),
          taskQueue: ctx.temporal().taskQueue,
          scheduleId: opts.id,
        });
        const client = await ctx.client();
        let handle;
        try {
          handle = await client.schedule.create(scheduled);
        } catch (err) {
          if ((err as Error).name === 'ScheduleAlreadyRunning')
            throw new UsageError(
              `A schedule ${(err as { scheduleId: string }).scheduleId} already exists; delete it first (dbmove schedule delete ${(err as { scheduleId: string }).scheduleId}) or pass --id`,
            );
          throw err;
        }
        const rows = await listRefreshSchedules(client).catch(() => []);
        const row = rows.find((r) => r.scheduleId === handle.scheduleId);
        if (opts.json) printJson(row ?? { scheduleId: handle.scheduleId });
        else process.stdout.write(`Created schedule ${handle.scheduleId}.\n${row ? `${renderRow(row)}\n` : ''}`);
      },
    );

  schedule
    .command('list')
    .description('The refresh schedules, with their next runs and the last refresh each started.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { listRefreshSchedules } = await import('../../client/schedules');
      const rows = await listRefreshSchedules(await ctx.client());
      if (opts.json) printJson(rows);
      else
        process.stdout.write(
          rows.length
            ? `${rows.map(renderRow).join('\n')}\n`
            : 'No refresh schedules. Create one with dbmove schedule create --source prod --target train --cron "0 2 * * SUN"\n',
        );
    });

  schedule
    .command('pause <scheduleId>')
    .description('Stop starting refreshes until unpaused (open refreshes are not affected).')
    .option('--note <text>', 'why (shown in schedule list and the Web UI)')
    .action(async (id: string, opts: { note?: string }) => {
      const { existingSchedule } = await import('../../client/schedules');
      const handle = await existingSchedule(await ctx.client(), id);
      await handle.pause(opts.note ?? `paused by ${actor(undefined)}`);
      process.stdout.write(`Paused ${id}.\n`);
    });

  schedule
    .command('unpause <scheduleId>')
    .description('Resume a paused schedule.')
    .action(async (id: string) => {
      const { existingSchedule } = await import('../../client/schedules');
      const handle = await existingSchedule(await ctx.client(), id);
      await handle.unpause(`unpaused by ${actor(undefined)}`);
      process.stdout.write(`Unpaused ${id}.\n`);
    });

  schedule
    .command('delete <scheduleId>')
    .description('Delete a schedule (refreshes it already started keep running).')
    .action(async (id: string) => {
      const { existingSchedule } = await import('../../client/schedules');
      const handle = await existingSchedule(await ctx.client(), id);
      await handle.delete();
      process.stdout.write(`Deleted ${id}.\n`);
    });
};
