import { formatBytes } from '../../common/format';
import type { RefreshPlan } from '../../client/plan';
import { OperationFailed } from '../../common/errors';
import { printJson, Register, requireEnvironment } from './shared';
import { isRefusal } from '../../common/checks';

function renderPlan(plan: RefreshPlan): string {
  const out = [`Plan: refresh ${plan.target} from ${plan.source} (dry run: every database opened read-only, nothing started)`, '', 'PRECHECK'];
  for (const c of plan.checks)
    out.push(`  ${c.ok ? 'ok  ' : c.severity === 'warning' ? 'warn' : 'FAIL'} ${c.message}${!c.ok && c.fix ? `\n       fix: ${c.fix}` : ''}`);
  if (plan.copy)
    out.push('', `COPY      ${plan.copy.bytes !== undefined ? formatBytes(plan.copy.bytes) : 'size unknown'} from ${plan.source} (${plan.copy.engine})`);
  if (plan.scrub) {
    out.push('', `SCRUB     ${plan.scrub.rows} rows in ${plan.scrub.elements.length} elements (${plan.scrub.policy.join(', ')})`);
    for (const e of plan.scrub.elements) out.push(`  ${String(e.rows).padStart(8)}  ${e.description}`);
  }
  if (plan.sync) {
    out.push(
      '',
      `SYNC      ${plan.sync.actions.length ? `${plan.sync.actions.length} schema changes` : `no schema change: the data already matches ${plan.target}`}`,
    );
    for (const a of plan.sync.actions) out.push(`  ${a}`);
    for (const i of plan.sync.incompatibilities) out.push(`  FAIL ${i}`);
  }
  if (plan.estimate) {
    const copy = plan.estimate.copySeconds !== undefined ? `~${plan.estimate.copySeconds} s to copy` : 'copy time unknown';
    out.push(
      '',
      `ESTIMATE  ${copy}; ${plan.target} stays online until SWAP, ${plan.estimate.broadcastLeadSeconds ? `${plan.estimate.broadcastLeadSeconds / 60} min after the downtime notice` : 'no downtime notice configured'}`,
      `  (${plan.estimate.basis})`,
    );
  }
  out.push('', plan.ready ? `Ready: dbmove refresh --source ${plan.source} --target ${plan.target}` : 'Not ready: fix the failed checks above first.');
  return out.join('\n');
}

export const registerPlan: Register = (program, ctx) => {
  program
    .command('plan')
    .description(
      'Dry run of a refresh: precheck results, rows per scrub element, schema changes SYNC would make, size to copy and a time estimate. Changes nothing; runs here, not on the worker.',
    )
    .requiredOption('--source <env>', 'environment a refresh would copy from')
    .requiredOption('--target <env>', 'sandbox a refresh would replace')
    .option('--json', 'print the plan as JSON')
    .action(async (opts: { source: string; target: string; json?: boolean }) => {
      await requireEnvironment(ctx, opts.source, 'source');
      await requireEnvironment(ctx, opts.target, 'target');
      const { planRefresh } = await import('../../client/plan');
      const client = await ctx.client().catch(() => undefined);
      const plan = await planRefresh(
        {
          catalog: () => ctx.catalog(),
          engines: await ctx.engines(),
          stateDir: ctx.home.stateDir,
          temporal: client && { client, taskQueue: ctx.temporal().taskQueue },
        },
        opts.source,
        opts.target,
      );
      if (opts.json) printJson(plan);
      else process.stdout.write(`${renderPlan(plan)}\n`);
      if (!plan.ready) throw new OperationFailed(`PRECHECK would refuse this refresh (${plan.checks.filter(isRefusal).length} checks failed)`);
    });
};
