import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

/** Prebundles the workflow code at build time, so workers start in a second instead of running webpack. */
async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  const out = path.join(__dirname, '..', 'workflow-bundle.js');
  fs.writeFileSync(out, code);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
