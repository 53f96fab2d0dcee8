import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findTemporalCli } from '../server/temporal-cli';

/**
 * `dbmove status` beside `temporal workflow describe` on the same operation: the first a Node
 * process that resolves the id, describes the workflow and queries its status (a round trip
 * to the worker), the second one Go binary and one describe call. Run in pairs, alternating
 * which goes first, so that whatever else the machine does weighs on both; the figure is the
 * median of the pairs' ratios (issue 15's target: at most 4).
 */
export interface CliSpeedFigures {
  operationId: string;
  pairs: { statusMs: number; describeMs: number }[];
  statusMs: number;
  describeMs: number;
  statusOverDescribe: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function statusBesideDescribe(options: {
  address: string;
  namespace: string;
  taskQueue: string;
  home: string;
  operationId: string;
  pairs: number;
}): Promise<CliSpeedFigures | undefined> {
  const temporal = findTemporalCli();
  if (!temporal) return undefined;
  fs.writeFileSync(
    path.join(options.home, 'temporal.config.json'),
    JSON.stringify({ address: options.address, namespace: options.namespace, taskQueue: options.taskQueue }, null, 2),
  );
  const cli = path.join(__dirname, '..', 'cli', 'cli.js');
  const env = { ...process.env, DBMOVE_HOME: options.home, NO_COLOR: '1' };
  const status = () => timed(process.execPath, [cli, 'status', options.operationId], env);
  const describe = () =>
    timed(temporal.path, ['workflow', 'describe', '--address', options.address, '--namespace', options.namespace, '--workflow-id', options.operationId], env);
  // One of each first, unmeasured: the file cache warm for both.
  await status();
  await describe();
  const pairs: CliSpeedFigures['pairs'] = [];
  for (let i = 0; i < options.pairs; i++) {
    if (i % 2 === 0) {
      const statusMs = await status();
      pairs.push({ statusMs, describeMs: await describe() });
    } else {
      const describeMs = await describe();
      pairs.push({ statusMs: await status(), describeMs });
    }
  }
  return {
    operationId: options.operationId,
    pairs,
    statusMs: median(pairs.map((p) => p.statusMs)),
    describeMs: median(pairs.map((p) => p.describeMs)),
    statusOverDescribe: median(pairs.map((p) => p.statusMs / p.describeMs)),
  };
}
