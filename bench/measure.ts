import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { consistentCopy } from '../engines/local/consistent-copy';
import { writeIdentityRecord } from '../engines/local/identity-records';
import { demoApplication } from '../demo/app-catalog';
import { startDemoAppServers } from '../demo/app-servers';
import { freeLoopbackPort } from '../server/loopback-port';
import { loadCatalog } from '../config/catalog';
import { getStatus, startOperation } from '../client/operations';
import type { OperationStatus, RefreshInput } from '../workflows/types';
import { createDbmoveWorker } from '../worker/create-worker';
import { LocalEngine } from '../engines/local/local-engine';
import { codecBesideZstd, ensureZstd, type CodecFigures } from './codec';
import { median, quietContext, settleDisk } from './side-by-side';
import { measureNoResidue, type NoResidueFigures } from './no-residue';
import { statusBesideDescribe, type CliSpeedFigures } from './cli-speed';

/**
 * What `npm run bench` measures: the demo estate at each size through a full refresh on a
 * real Temporal server with an in-process worker, and a plain `cp` of the same source file in
 * the same run as the yardstick for COPY. Figures come from the operation's own records
 * (StepRecord.activityMs, the SWAP window, SCRUB's per-element timings in its activity result)
 * and from the workflow history, never from guesses.
 */

export interface BenchServer {
  client: Client;
  connection: NativeConnection;
  namespace: string;
  /** host:port of the frontend, for the command-line runs (`dbmove status` beside `temporal workflow describe`). */
  address?: string;
}

export interface BenchOptions {
  sizes: number[];
  /** Refreshes started together at the smallest size (0 skips the concurrency run). */
  concurrent: number;
  /** Scratch directory for estates (git-ignored bench/out/ by default). */
  outDir: string;
  /** Alternating pairs for each side-by-side comparison (COPY/cp, PACKAGE/zstd). */
  rounds?: number;
  log?: (line: string) => void;
  /** Pairs of `dbmove status` and `temporal workflow describe` runs (default 15). */
  cliPairs?: number;
}

/** The worker's event loop while something ran: the longest stall and the 99th percentile (ms). */
export interface EventLoopFigures {
  maxMs: number;
  p99Ms: number;
}

export interface ScrubFigures {
  wholeTableMs: number;
  rowLevelMs: number;
  elements: { id: string; kind: string; rows: number; ms: number }[];
}

export interface RefreshFigures {
  operationId: string;
  phase: string;
  endToEndMs: number;
  activityMs: number;
  orchestrationOverheadMs: number;
  steps: { name: string; status: string; durationMs?: number; activityMs?: number; attempts: number }[];
  historyEvents: number;
  historyBytes: number;
  failedActivities: number;
  /** Workflow tasks that timed out, or failed for a reason of the worker's (a starved worker shows them first). */
  workflowTaskTimeouts: number;
  /** Workflow tasks Temporal failed as UNHANDLED_COMMAND (an event arrived while the task completed; it runs again). */
  benignTaskFailures: number;
  /** Milliseconds since the start and event type, for reading where orchestration time goes. */
  timeline: string[];
}

export interface SizeFigures {
  businessRows: number;
  sourceBytes: number;
  generateMs: number;
  /** Median of the plain `cp` runs of the source file. */
  cpMs: number;
  /** Median of COPY's consistent copy runs, each beside a cp run (alternating order). */
  copyMs: number;
  /** Median of the COPY/cp pairs' ratios. */
  copyOverCp: number;
  copyPairs: { cpMs: number; copyMs: number }[];
  /** COPY as timed inside the refresh's own activity (one run, whatever else the machine did then). */
  copyInRefreshMs: number;
  swapWindowMs: number;
  /** SWAP as the application's users see it: uat's demo application server stopped, swapped under, started and healthy. */
  applicationUnavailableMs: number;
  scrub: ScrubFigures;
  refresh: RefreshFigures;
  /** What leaving no scrubbed byte behind costs (VERIFY's rewrite of staging), and the alternatives. */
  noResidue: NoResidueFigures;
  /** The first workflow on a fresh worker (a refusal of an unknown target), excluded from the refresh. */
  workerWarmUpMs: number;
  workerPeakRssBytes: number;
  /** The worker's event loop during the refresh (database work runs on threads). */
  eventLoop: EventLoopFigures;
  /** SQLite's quick_check of the source, as PRECHECK runs it (the default integrity level). */
  integrityCheckMs: number;
  /** The longest stretch a separate reader of uat could not read it, across the whole refresh. */
  usersWindowMs?: number;
  /** PACKAGE and the import's unpack beside zstd on this size's database. */
  codec?: CodecFigures | { skipped: string };
}

export interface ConcurrencyFigures {
  businessRows: number;
  refreshes: number;
  completed: number;
  failedActivities: number;
  wallMs: number;
  singleRefreshMs: number;
  wallOverSingle: number;
  maxHistoryEvents: number;
  workerPeakRssBytes: number;
  workflowTaskTimeouts: number;
  benignTaskFailures: number;
  eventLoop: EventLoopFigures;
  /** Written to disk from the start until every refresh's writes were flushed (sync after the run). */
  diskWrittenBytes: number;
  /** CPU time of the run (ms), the whole machine's and the worker process's, and per refresh. */
  cpu: { machineMs: number; workerMs: number; singleMachineMs: number; singleWorkerMs: number };
  /** Per step, across the concurrent refreshes: where the wall time went. */
  steps: { name: string; activityMsTotal: number; durationMsMax: number }[];
}

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; memoryBytes: number; node: string; platform: string };
  quick: boolean;
  sizes: SizeFigures[];
  concurrency?: ConcurrencyFigures;
  /** `dbmove status` beside `temporal workflow describe` on the smallest size's refresh. */
  cliSpeed?: CliSpeedFigures;
}

const SANDBOX = (i: number) => `sbx${String(i).padStart(2, '0')}`;

export async function runBench(server: BenchServer, options: BenchOptions): Promise<Omit<BenchResults, 'startedAt' | 'machine' | 'quick'>> {
  const log = options.log ?? (() => {});
  const rounds = options.rounds ?? 5;
  const sizes: SizeFigures[] = [];
  let concurrency: ConcurrencyFigures | undefined;
  let cliSpeed: CliSpeedFigures | undefined;
  const zstd = ensureZstd(log);
  const smallest = Math.min(...options.sizes);
  for (const rows of options.sizes) {
    const home = path.join(options.outDir, `estate-${rows}`);
    const generated = generateEstate(home, rows);
    log(`${rows.toLocaleString('en-US')} rows: estate generated in ${(generated.ms / 1000).toFixed(1)} s`);
    const catalogFile = path.join(home, 'environments.json');
    const prod = path.join(home, 'state', 'estate', 'prod.sqlite');

    // uat's demo application server, on a port of its own: SWAP stops and starts it, as npm start's refresh does.
    setApplicationPort(catalogFile, 'uat', await freeLoopbackPort());
    const appServers = await startDemoAppServers(loadCatalog(catalogFile), { only: ['uat'] });

    const taskQueue = `bench-${rows}-${process.pid}`;
    const worker = await createDbmoveWorker({
      connection: server.connection,
      namespace: server.namespace,
      taskQueue,
      catalogFile,
      stateDir: path.join(home, 'state'),
    });
    await worker.runUntil(async () => {
      // A fresh worker loads the workflow bundle into its V8 context on its first workflow
      // task (about a second here); a long-running worker pays that once, not per refresh.
      const warmUpMs = await warmUp(server, taskQueue);
      // The yardstick: the same source file through plain cp and through COPY's own
      // mechanism, alternately, on a settled disk; medians of five pairs.
      const sideBySide = await copyBesideCp(prod, home, rounds);
      const cpMs = sideBySide.cpMs;
      const codec: SizeFigures['codec'] = zstd.ok ? await codecBesideZstd(prod, home, rounds, zstd.version) : { skipped: zstd.why };
      settleDisk();
      const integrityCheckMs = await quickCheckMs(home);
      const probe = startUserProbe(path.join(home, 'state', 'estate', 'uat.sqlite'));
      await probe.ready;
      const loop = watchEventLoop();
      const rss = sampleRss();
      const cpuBefore = cpuMs();
      const single = await refreshOnce(server, taskQueue, 'uat');
      const cpuSingle = cpuMs();
      const peak = rss.stop();
      const eventLoop = loop.stop();
      const usersWindowMs = await probe.stop();
      const copyDetails = single.activityResults.copyToStaging?.details as { copyMs: number; bytes: number } | undefined;
      const scrubDetails = single.activityResults.scrubStaging?.details as { elements: ScrubFigures['elements'] } | undefined;
      const sealDetails = single.activityResults.verifyStaging?.details as { seal?: { ms: number } } | undefined;
      const noResidue = await measureNoResidue(prod, home, sealDetails?.seal?.ms ?? NaN);
      const elements = scrubDetails?.elements ?? [];
      const figures: SizeFigures = {
        businessRows: rows,
        sourceBytes: fs.statSync(prod).size,
        generateMs: generated.ms,
        cpMs,
        copyMs: sideBySide.copyMs,
        copyOverCp: sideBySide.ratio,
        copyPairs: sideBySide.pairs,
        copyInRefreshMs: copyDetails?.copyMs ?? NaN,
        swapWindowMs: single.status.unavailableWindowMs ?? NaN,
        applicationUnavailableMs: single.status.applicationUnavailableMs ?? NaN,
        scrub: {
          wholeTableMs: sum(elements.filter((e) => e.kind === 'whole-table').map((e) => e.ms)),
          rowLevelMs: sum(elements.filter((e) => e.kind === 'row-level').map((e) => e.ms)),
          elements,
        },
        refresh: single.figures,
        noResidue,
        workerWarmUpMs: warmUpMs,
        workerPeakRssBytes: peak,
        eventLoop,
        integrityCheckMs,
        usersWindowMs,
        codec,
      };
      sizes.push(figures);
      log(
        `${rows.toLocaleString('en-US')} rows: refresh ${single.figures.phase} in ${(single.figures.endToEndMs / 1000).toFixed(2)} s; COPY ${figures.copyMs.toFixed(0)} ms vs cp ${cpMs.toFixed(0)} ms (in the refresh ${figures.copyInRefreshMs} ms); window ${figures.swapWindowMs} ms (file swap), ${figures.applicationUnavailableMs.toFixed(0)} ms (application stopped to healthy)`,
      );

      if (rows === smallest && server.address) {
        cliSpeed = await statusBesideDescribe({
          address: server.address,
          namespace: server.namespace,
          taskQueue,
          home,
          operationId: single.figures.operationId,
          pairs: options.cliPairs ?? 15,
        });
        if (cliSpeed)
          log(
            `dbmove status ${cliSpeed.statusMs.toFixed(0)} ms, temporal workflow describe ${cliSpeed.describeMs.toFixed(0)} ms: ${cliSpeed.statusOverDescribe.toFixed(2)}x (median of ${cliSpeed.pairs.length} pairs)`,
          );
      }

      if (rows === smallest && options.concurrent > 0) {
        addSandboxes(home, options.concurrent);
        settleDisk();
        const rssAll = sampleRss();
        const loopAll = watchEventLoop();
        const writtenBefore = diskWrittenBytes();
        const cpuAllBefore = cpuMs();
        const started = performance.now();
        const all = await Promise.all(Array.from({ length: options.concurrent }, (_, i) => refreshOnce(server, taskQueue, SANDBOX(i + 1))));
        const wallMs = performance.now() - started;
        const cpuAll = cpuMs();
        settleDisk();
        const diskWritten = diskWrittenBytes() - writtenBefore;
        const eventLoopAll = loopAll.stop();
        concurrency = {
          businessRows: rows,
          refreshes: options.concurrent,
          completed: all.filter((r) => r.figures.phase === 'COMPLETED').length,
          failedActivities: sum(all.map((r) => r.figures.failedActivities)),
          wallMs,
          singleRefreshMs: single.figures.endToEndMs,
          wallOverSingle: wallMs / single.figures.endToEndMs,
          maxHistoryEvents: Math.max(...all.map((r) => r.figures.historyEvents)),
          workerPeakRssBytes: rssAll.stop(),
          workflowTaskTimeouts: sum(all.map((r) => r.figures.workflowTaskTimeouts)),
          benignTaskFailures: sum(all.map((r) => r.figures.benignTaskFailures)),
          eventLoop: eventLoopAll,
          diskWrittenBytes: diskWritten,
          cpu: {
            machineMs: cpuAll.machine - cpuAllBefore.machine,
            workerMs: cpuAll.worker - cpuAllBefore.worker,
            singleMachineMs: cpuSingle.machine - cpuBefore.machine,
            singleWorkerMs: cpuSingle.worker - cpuBefore.worker,
          },
          steps: single.figures.steps.map(({ name }) => {
            const runs = all.map((r) => r.figures.steps.find((step) => step.name === name));
            return {
              name,
              activityMsTotal: sum(runs.map((step) => step?.activityMs ?? 0)),
              durationMsMax: Math.max(...runs.map((step) => step?.durationMs ?? 0)),
            };
          }),
        };
        log(`${options.concurrent} concurrent refreshes: ${concurrency.completed} completed in ${(wallMs / 1000).toFixed(2)} s`);
      }
    });
    for (const app of appServers) await app.stop();
  }
  return { sizes, concurrency, cliSpeed };
}

/** The event loop's delay, sampled every 10 ms by Node's own monitor, while `stop` is not called. */
function watchEventLoop(): { stop(): EventLoopFigures } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
    },
  };
}

/** quick_check of the source, the way PRECHECK runs it (on a database thread). */
async function quickCheckMs(home: string): Promise<number> {
  const engine = new LocalEngine();
  const env = { name: 'prod', database: { path: path.join(home, 'state', 'estate', 'prod.sqlite') } } as never;
  const result = await engine.checkIntegrity(env, 'live', 'quick', quietContext());
  if (!result.ok) throw new Error(`the bench estate's prod failed quick_check: ${result.messages.join('; ')}`);
  return result.durationMs;
}

/** A reader of `file` in its own process (bench/user-probe.ts) for as long as the refresh runs. */
function startUserProbe(file: string): { ready: Promise<void>; stop(): Promise<number | undefined> } {
  const child = spawn(process.execPath, [path.join(__dirname, 'user-probe.js'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  const ready = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    ready,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const last = output.trim().split('\n').pop() ?? '';
      try {
        return (JSON.parse(last) as { longestMs: number }).longestMs;
      } catch {
        return undefined;
      }
    },
  };
}

function setApplicationPort(catalogFile: string, environment: string, port: number): void {
  const catalog = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
  catalog.environments.find((e: { name: string }) => e.name === environment).application = demoApplication(port);
  fs.writeFileSync(catalogFile, JSON.stringify(catalog, null, 2));
}

function generateEstate(home: string, rows: number): { ms: number } {
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  // A child process, so the generator's memory never counts as the worker's.
  const started = performance.now();
  const cli = path.join(__dirname, '..', 'cli', 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'demo', '--rows', String(rows)], { cwd: home, env: { ...process.env, DBMOVE_HOME: home }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dbmove demo --rows ${rows} failed: ${run.stderr || run.stdout}`);
  return { ms: performance.now() - started };
}

/** Sandboxes sbx01..sbxNN: uat's catalog entry under new names, each with its own copy of uat's database. */
function addSandboxes(home: string, count: number): void {
  const catalogFile = path.join(home, 'environments.json');
  const catalog = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
  const uat = catalog.environments.find((e: { name: string }) => e.name === 'uat');
  const uatFile = path.join(home, uat.database.path);
  for (let i = 1; i <= count; i++) {
    const name = SANDBOX(i);
    const file = uat.database.path.replace(/uat\.sqlite$/, `${name}.sqlite`);
    fs.copyFileSync(uatFile, path.join(home, file));
    // Who the copy is, in the local engine's identity record (a copied file carries none).
    writeIdentityRecord(path.join(home, file), path.join(home, file), { environment: name, type: 'sandbox' });
    // The concurrency run measures the engine and the orchestration: no application server per sandbox.
    const { application: _application, ...entry } = structuredClone(uat);
    catalog.environments.push({ ...entry, name, description: `Benchmark sandbox ${i}`, database: { path: file } });
  }
  fs.writeFileSync(catalogFile, JSON.stringify(catalog, null, 2));
}

/**
 * cp and COPY's consistent copy (the function the local engine's COPY runs, read lock and
 * all) of the same file, in pairs whose order alternates, each on a settled disk. On a shared
 * machine a single run can be off by a factor of two either way (measured), so a lone COPY
 * against a lone cp says more about the neighbours than about COPY.
 */
export async function copyBesideCp(
  source: string,
  dir: string,
  rounds = 3,
): Promise<{ cpMs: number; copyMs: number; ratio: number; pairs: { cpMs: number; copyMs: number }[] }> {
  const to = path.join(dir, 'side-by-side.sqlite');
  const timeCp = async () => {
    const started = performance.now();
    const run = spawnSync('cp', [source, to]);
    if (run.status !== 0) throw new Error(`cp ${source} ${to} failed: ${run.stderr}`);
    return performance.now() - started;
  };
  const timeCopy = async () => (await consistentCopy(source, to, () => {}, { durable: false })).durationMs;
  const pairs: { cpMs: number; copyMs: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [timeCp, timeCopy] : [timeCopy, timeCp];
    const times: number[] = [];
    for (const run of order) {
      fs.rmSync(to, { force: true });
      settleDisk();
      times.push(await run());
    }
    pairs.push(i % 2 === 0 ? { cpMs: times[0], copyMs: times[1] } : { cpMs: times[1], copyMs: times[0] });
  }
  fs.rmSync(to, { force: true });
  settleDisk();
  return { cpMs: median(pairs.map((p) => p.cpMs)), copyMs: median(pairs.map((p) => p.copyMs)), ratio: median(pairs.map((p) => p.copyMs / p.cpMs)), pairs };
}

/**
 * Writes back every dirty page before a timed copy. Without it, whichever copy runs second
 * pays for the first one's writeback (measured: up to 1.9x on the same file), and the
 * estate generator's own writeback lands in the middle of the refresh.
 */

/**
 * CPU time used so far, in ms: by the whole machine (Linux /proc/stat: every state but idle and
 * iowait) and by this process (the worker and its threads). The difference is the Temporal
 * server, the kernel's own threads (writeback) and anything else running.
 */
function cpuMs(): { machine: number; worker: number } {
  const usage = process.cpuUsage();
  let machine = NaN;
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const tick = 10; // USER_HZ is 100 on Linux
    machine = (sum(fields) - fields[3] - fields[4]) * tick;
  } catch {
    /* not Linux */
  }
  return { machine, worker: (usage.user + usage.system) / 1000 };
}

/**
 * Bytes the machine's disks have written so far (Linux: sectors written, from /sys/block), or
 * NaN elsewhere. Loop, RAM and zram devices are not disks.
 */
function diskWrittenBytes(): number {
  try {
    return sum(
      fs
        .readdirSync('/sys/block')
        .filter((device) => !/^(loop|ram|zram)/.test(device))
        .map((device) => Number(fs.readFileSync(`/sys/block/${device}/stat`, 'utf8').trim().split(/\s+/)[6]) * 512),
    );
  } catch {
    return NaN;
  }
}

/** Peak resident memory of this process (the worker runs in it) while `stop` is not called. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

interface OneRefresh {
  status: OperationStatus;
  figures: RefreshFigures;
  activityResults: Record<string, { details?: Record<string, unknown> } | undefined>;
}

async function refreshOnce(server: BenchServer, taskQueue: string, target: string): Promise<OneRefresh> {
  const input: RefreshInput = { source: 'prod', target, requestedBy: 'bench', autoSignOff: true };
  const handle = await startOperation(server.client, 'refresh', 'refresh', input, { taskQueue }, `bench refresh prod → ${target}`);
  let phase = 'COMPLETED';
  try {
    await handle.result();
  } catch (err) {
    phase = `FAILED (${(err as Error).message})`;
  }
  const status = await getStatus(server.client, handle);
  if (phase === 'COMPLETED') phase = status.phase;
  const history = await readHistory(handle);
  const activityMs = sum(status.steps.map((s) => s.activityMs ?? 0));
  return {
    status,
    activityResults: history.activityResults,
    figures: {
      operationId: handle.workflowId,
      phase,
      endToEndMs: history.endToEndMs,
      activityMs,
      orchestrationOverheadMs: history.endToEndMs - activityMs,
      steps: status.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs, activityMs: s.activityMs, attempts: s.attempts })),
      historyEvents: history.events,
      historyBytes: history.bytes,
      failedActivities: history.failedActivities,
      workflowTaskTimeouts: history.workflowTaskTimeouts,
      benignTaskFailures: history.benignTaskFailures,
      timeline: history.timeline,
    },
  };
}

async function warmUp(server: BenchServer, taskQueue: string): Promise<number> {
  const started = performance.now();
  const handle = await startOperation(
    server.client,
    'refresh',
    'refresh',
    { source: 'prod', target: 'bench-warm-up', requestedBy: 'bench' },
    { taskQueue },
    'bench worker warm-up',
  );
  await handle.result().catch(() => undefined); // refused: the target is not in the catalog
  return performance.now() - started;
}

const EventType = temporal.api.enums.v1.EventType;

async function readHistory(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  const time = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Number(e.eventTime?.nanos ?? 0) / 1e6;
  const endToEndMs = time(events[events.length - 1]) - time(events[0]);
  const scheduled = new Map<string, string>();
  const activityResults: OneRefresh['activityResults'] = {};
  let failedActivities = 0;
  let workflowTaskTimeouts = 0;
  let benignTaskFailures = 0;
  for (const event of events) {
    // A task that timed out is the stall the target is about. A failed task whose cause is
    // UNHANDLED_COMMAND is Temporal's own doing (an activity completed while the workflow was
    // completing its task; the task simply runs again) and is counted apart.
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) workflowTaskTimeouts++;
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[event.workflowTaskFailedEventAttributes?.cause ?? 0] ?? 'UNKNOWN';
      if (cause.endsWith('UNHANDLED_COMMAND')) benignTaskFailures++;
      else workflowTaskTimeouts++;
    }
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      scheduled.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
    } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const attrs = event.activityTaskCompletedEventAttributes!;
      const name = scheduled.get(String(attrs.scheduledEventId)) ?? '';
      const payload = attrs.result?.payloads?.[0];
      activityResults[name] = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
    } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED || event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
      failedActivities++;
    } else if (event.activityTaskStartedEventAttributes && (event.activityTaskStartedEventAttributes.attempt ?? 1) > 1) {
      // A retried activity that then succeeded still failed once; the server records only its last attempt.
      failedActivities += (event.activityTaskStartedEventAttributes.attempt ?? 1) - 1;
    }
  }
  const timeline = events.map((e) => {
    const name = EventType[e.eventType ?? 0]?.replace(/^EVENT_TYPE_/, '') ?? String(e.eventType);
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return `${(time(e) - time(events[0])).toFixed(0)} ${name}${activity ? ` ${activity}` : ''}`;
  });
  return { events: events.length, bytes, endToEndMs, activityResults, failedActivities, workflowTaskTimeouts, benignTaskFailures, timeline };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
