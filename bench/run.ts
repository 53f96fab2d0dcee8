import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { packageRoot } from '../config/package-root';
import { startEphemeralServer } from '../server/ephemeral-server';
import { BenchResults, BenchServer, runBench } from './measure';
import { judge, renderMarkdown, TargetVerdict } from './targets';

/**
 * `npm run bench` (`node dist/bench/run.js`): the full run at 1,000,000 and 5,000,000 business
 * rows writes bench/results.json and bench/results.md (committed); `--quick` runs small sizes
 * into bench/out/ (git-ignored) for smoke runs. `npm run bench -- --help` lists the options.
 */
export interface BenchArgs {
  quick: boolean;
  sizes: number[];
  concurrent: number;
  resultsDir: string;
  outDir: string;
  notes: string[];
}

const wholeNumber =
  (flag: string, min: number) =>
  (text: string): number => {
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number of at least ${min}`);
    return n;
  };

export function parseArgs(argv: string[]): BenchArgs {
  const root = packageRoot();
  const program = new Command('npm run bench --')
    .description(
      'Full refreshes of the demo estate on a real Temporal dev server, measured beside a plain file copy and judged against the performance targets.',
    )
    .option('--quick', 'small sizes (20,000 and 100,000 rows) for smoke runs; results go to bench/out/')
    .option('--sizes <rows,...>', 'business rows per size, comma-separated (default 1000000,5000000)', (text) =>
      text.split(',').map(wholeNumber('--sizes', 100)),
    )
    .option('--concurrent <n>', 'refreshes started together at the smallest size; 0 skips that run', wholeNumber('--concurrent', 0), 20)
    .option('--results <dir>', 'where results.json and results.md go (default bench/, or bench/out/ with --quick)')
    .option('--out <dir>', 'scratch space for estates (git-ignored)', path.join(root, 'bench', 'out'))
    .option('--note <text>', 'a line for the Notes section, e.g. what else ran on the machine (repeatable)', (text, all: string[]) => [...all, text], [])
    .exitOverride()
    .parse(argv, { from: 'user' });
  const opts = program.opts<{ quick?: boolean; sizes?: number[]; concurrent: number; results?: string; out: string; note: string[] }>();
  const quick = Boolean(opts.quick);
  return {
    quick,
    sizes: opts.sizes ?? (quick ? [20_000, 100_000] : [1_000_000, 5_000_000]),
    concurrent: opts.concurrent,
    resultsDir: path.resolve(opts.results ?? (quick ? path.join(root, 'bench', 'out') : path.join(root, 'bench'))),
    outDir: path.resolve(opts.out),
    notes: opts.note,
  };
}

export interface BenchOutcome {
  results: BenchResults;
  verdicts: TargetVerdict[];
  files: { json: string; markdown: string };
}

/** Runs the bench against `server` (or a dev server of its own) and writes the results. */
export async function bench(args: BenchArgs, server?: BenchServer, log: (line: string) => void = () => {}): Promise<BenchOutcome> {
  const startedAt = new Date().toISOString();
  let own: TestWorkflowEnvironment | undefined;
  if (!server) {
    own = await startEphemeralServer(log);
    server = { client: own.client, connection: own.nativeConnection, namespace: own.namespace ?? 'default', address: own.address };
  }
  try {
    const measured = await runBench(server, { sizes: args.sizes, concurrent: args.concurrent, outDir: args.outDir, log, cliPairs: args.quick ? 5 : 15 });
    const results: BenchResults = {
      startedAt,
      machine: { cpus: os.cpus().length, memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` },
      quick: args.quick,
      ...measured,
    };
    const verdicts = judge(results);
    fs.mkdirSync(args.resultsDir, { recursive: true });
    const files = { json: path.join(args.resultsDir, 'results.json'), markdown: path.join(args.resultsDir, 'results.md') };
    fs.writeFileSync(files.json, `${JSON.stringify({ ...results, targets: verdicts, notes: args.notes }, null, 2)}\n`);
    fs.writeFileSync(files.markdown, renderMarkdown(results, verdicts, args.notes));
    return { results, verdicts, files };
  } finally {
    await own?.teardown();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const { verdicts, files } = await bench(args, undefined, log);
  log('');
  for (const v of verdicts) log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.figure}`);
  log(`\nWrote ${files.json} and ${files.markdown}`);
  // Missed targets are findings, not crashes: the exit code says whether the bench itself ran.
}

if (require.main === module) {
  main().catch((err) => {
    // Commander has already printed usage problems and --help; exit 2 as the CLI does.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
