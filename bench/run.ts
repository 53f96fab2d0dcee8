import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { packageRoot } from '../config/package-root';
import { locateTemporalCli } from '../server/temporal-cli';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { BenchResults, BenchServer, runBench } from './measure';
import { judge, renderMarkdown, TargetVerdict } from './targets';

/**
 * `npm run bench` (`node dist/bench/run.js`): the full run at 1,000,000 and 5,000,000 business
 * rows writes bench/results.json and bench/results.md (committed); `--quick` runs small sizes
 * into bench/out/ (git-ignored) for smoke runs. Options:
 *   --quick                20,000 and 100,000 rows, results in bench/out/
 *   --sizes a,b            business rows per size
 *   --concurrent n         refreshes started together at the smallest size (default 20)
 *   --results <dir>        where results.json and results.md go
 *   --note "text"          a line for the Notes section (repeatable), e.g. what else ran on the machine
 */
export interface BenchArgs {
  quick: boolean;
  sizes: number[];
  concurrent: number;
  resultsDir: string;
  outDir: string;
  notes: string[];
}

export function parseArgs(argv: string[]): BenchArgs {
  const root = packageRoot();
  const quick = argv.includes('--quick');
  const args: BenchArgs = {
    quick,
    sizes: quick ? [20_000, 100_000] : [1_000_000, 5_000_000],
    concurrent: 20,
    resultsDir: quick ? path.join(root, 'bench', 'out') : path.join(root, 'bench'),
    outDir: path.join(root, 'bench', 'out'),
    notes: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--quick':
        break;
      case '--sizes':
        args.sizes = value().split(',').map((s) => Number(s.replace(/_/g, '')));
        if (args.sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error('--sizes takes whole numbers of business rows, at least 100 each, e.g. --sizes 20000,100000');
        break;
      case '--concurrent':
        args.concurrent = Number(value());
        if (!Number.isInteger(args.concurrent) || args.concurrent < 0) throw new Error('--concurrent takes a whole number (0 skips the concurrency run)');
        break;
      case '--results':
        args.resultsDir = path.resolve(value());
        break;
      case '--out':
        args.outDir = path.resolve(value());
        break;
      case '--note':
        args.notes.push(value());
        break;
      default:
        throw new Error(`Unknown option ${argv[i]}; see bench/run.ts for the options`);
    }
  }
  return args;
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
    const cli = await locateTemporalCli({ build: true, log });
    if (!cli) throw new Error('No Temporal CLI found and no Go toolchain to build one; see README "Running the tests"');
    own = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: ALL_SEARCH_ATTRIBUTES, ui: false },
    });
    server = { client: own.client, connection: own.nativeConnection, namespace: own.namespace ?? 'default' };
  }
  try {
    const measured = await runBench(server, { sizes: args.sizes, concurrent: args.concurrent, outDir: args.outDir, log });
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
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
