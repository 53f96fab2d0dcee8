import type { RefreshInput } from '../../workflows/types';
import { actor } from '../context';
import { launch } from './launch';
import { oneOf, Register, requireEnvironment } from './shared';

export const registerRefresh: Register = (program, ctx) => {
  program
    .command('refresh')
    .description('Refresh a sandbox from production (or from another sandbox). The target stays online until SWAP.')
    .requiredOption('--source <env>', 'environment to copy from (never written)')
    .requiredOption('--target <env>', 'sandbox to refresh')
    .option('--wait', 'follow the operation with live progress until it waits for sign-off or for a decision (exit 1 if it failed or was refused)')
    .option('--json', 'print one JSON object (operationId, phase, steps) instead of text')
    .option(
      '--on-failure <what>',
      'wait: pause in FAILED for retry or rollback; rollback: roll back at once (unattended runs)',
      oneOf('wait', 'rollback'),
      'wait',
    )
    .option('--auto-sign-off', 'sign off automatically once VERIFY passed and SWAP completed (scheduled refreshes)')
    .option('--by <name>', 'who asks (recorded in the history); default DBMOVE_USER or your OS account')
    .option('--id <operationId>', 'operation id to use (default: refresh-<target>-<time>-<random>)')
    .addHelpText(
      'after',
      '\nExamples:\n  dbmove refresh --source prod --target uat --wait\n  dbmove refresh --source prod --target train --on-failure rollback --json',
    )
    .action(
      async (opts: {
        source: string;
        target: string;
        wait?: boolean;
        json?: boolean;
        onFailure: 'wait' | 'rollback';
        autoSignOff?: boolean;
        by?: string;
        id?: string;
      }) => {
        await requireEnvironment(ctx, opts.source, 'source');
        await requireEnvironment(ctx, opts.target, 'target');
        const input: RefreshInput = {
          source: opts.source,
          target: opts.target,
          requestedBy: actor(opts.by),
          onFailure: opts.onFailure,
          autoSignOff: Boolean(opts.autoSignOff),
        };
        await launch(ctx, 'refresh', 'refresh', input, `refresh ${opts.source} → ${opts.target}`, opts);
      },
    );
};
