import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { decide, startOperation } from '../client/operations';
import { followOperation } from '../client/follow';
import { packageRoot } from '../config/package-root';
import { createDemoEstate } from '../demo/estate';
import { startEphemeralServer } from '../server/ephemeral-server';
import { createDbmoveWorker } from '../worker/create-worker';
import type { OperationStatus, Phase, RefreshInput } from '../workflows/types';

/**
 * Records real histories of dbmove operations for the replay test (test/replay.test.ts):
 *
 *   node dist/scripts/record-histories.js            writes test/histories/*.json
 *   node dist/scripts/record-histories.js NAME...    only the scenarios named (keep the others as recorded)
 *
 * Run it, and commit the files, when a workflow change is meant to be incompatible (then
 * old operations need `patched()`), or to add a scenario. Each history runs against a
 * throwaway demo estate on its own dev server. Histories hold environment names and the
 * status the workflow reports; the estate's directory is replaced by <estate> so they carry
 * no path of the machine that recorded them.
 */
interface Scenario {
  name: string;
  faults?: string;
  /** The operation (a refresh of uat from prod unless said otherwise). */
  kind?: 'export' | 'import' | 'restore';
  /** Drives the operation from start to the point the history is taken. */
  drive(handle: WorkflowHandle, waitFor: (phases: Phase[]) => Promise<OperationStatus>): Promise<void>;
}

const signOff = async (handle: WorkflowHandle, waitFor: (phases: Phase[]) => Promise<OperationStatus>) => {
  await waitFor(['AWAITING_SIGNOFF']);
  await decide(handle, 'sign-off', { by: 'recorder' });
  await handle.result();
};

const SCENARIOS: Scenario[] = [
  {
    name: 'refresh-completed',
    async drive(handle, waitFor) {
      await waitFor(['AWAITING_SIGNOFF']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
  {
    // Open: replaying it is what a new worker does for an operation waiting for sign-off.
    name: 'refresh-awaiting-signoff',
    async drive(_handle, waitFor) {
      await waitFor(['AWAITING_SIGNOFF']);
    },
  },
  {
    name: 'refresh-failed-rolled-back',
    faults: 'SYNC=fail',
    async drive(handle, waitFor) {
      await waitFor(['FAILED']);
      await decide(handle, 'rollback', { by: 'recorder' });
      await waitFor(['ROLLED_BACK']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
  {
    name: 'refresh-failed-retried',
    faults: 'SYNC=fail-once',
    async drive(handle, waitFor) {
      await waitFor(['FAILED']);
      await decide(handle, 'retry', { by: 'recorder' });
      await waitFor(['AWAITING_SIGNOFF']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
  { name: 'export-completed', kind: 'export', drive: signOff },
  {
    name: 'export-failed-rolled-back',
    kind: 'export',
    faults: 'PACKAGE=fail',
    async drive(handle, waitFor) {
      await waitFor(['FAILED']);
      await decide(handle, 'rollback', { by: 'recorder' });
      await waitFor(['ROLLED_BACK']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
  { name: 'import-completed', kind: 'import', drive: signOff },
  {
    name: 'import-rolled-back-after-swap',
    kind: 'import',
    async drive(handle, waitFor) {
      await waitFor(['AWAITING_SIGNOFF']);
      await decide(handle, 'rollback', { by: 'recorder' });
      await waitFor(['ROLLED_BACK']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
  { name: 'restore-completed', kind: 'restore', drive: signOff },
  {
    name: 'refresh-rolled-back-after-swap',
    async drive(handle, waitFor) {
      await waitFor(['AWAITING_SIGNOFF']);
      await decide(handle, 'rollback', { by: 'recorder' });
      await waitFor(['ROLLED_BACK']);
      await decide(handle, 'sign-off', { by: 'recorder' });
      await handle.result();
    },
  },
];

/** Starts an operation a scenario needs before the one it records (not recorded itself). */
async function prepare(
  run: (kind: string, input: Record<string, unknown>, label: string) => Promise<WorkflowHandle>,
  kind: string,
  input: Record<string, unknown>,
): Promise<WorkflowHandle> {
  return run(kind, input, `prepared for a recording: ${kind}`);
}

/** Replaces `from` inside every JSON payload of a history (payload data is base64 JSON). */
export function replaceInPayloads(node: unknown, from: string, to: string): unknown {
  if (Array.isArray(node)) return node.map((n) => replaceInPayloads(n, from, to));
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const metadata = record.metadata as Record<string, string> | undefined;
    if (metadata?.encoding && typeof record.data === 'string' && Buffer.from(metadata.encoding, 'base64').toString() === 'json/plain') {
      const text = Buffer.from(record.data, 'base64').toString('utf8');
      return { ...record, data: Buffer.from(text.split(from).join(to)).toString('base64') };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replaceInPayloads(v, from, to)]));
  }
  return node;
}

async function main(): Promise<void> {
  const outDir = path.join(packageRoot(), 'test', 'histories');
  fs.mkdirSync(outDir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('ERROR', () => undefined) });
  const env = await startEphemeralServer();
  try {
    const only = process.argv.slice(2);
    for (const scenario of SCENARIOS.filter((s) => !only.length || only.includes(s.name))) {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dbmove-history-'));
      createDemoEstate({ home, rows: 1000 });
      const taskQueue = `record-${scenario.name}`;
      const worker = await createDbmoveWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue,
        catalogFile: path.join(home, 'environments.json'),
        stateDir: path.join(home, 'state'),
        env: scenario.faults ? { DBMOVE_FAULTS: scenario.faults } : {},
      });
      const history = await worker.runUntil(async () => {
        const tuning = { initialInterval: '100ms', maximumAttempts: 2 };
        const run = async (kind: string, input: Record<string, unknown>, label: string) => {
          const type = { refresh: 'refresh', export: 'exportDatabase', import: 'importDatabase', restore: 'restoreDatabase' }[kind]!;
          return startOperation(env.client, kind as 'refresh', type, { requestedBy: 'recorder', tuning, ...input } as RefreshInput, { taskQueue }, label);
        };
        const follow = (handle: WorkflowHandle) => (phases: Phase[]) =>
          followOperation(env.client, handle, { until: phases, intervalMs: 100, timeoutMs: 60_000 });
        // What an import or a restore needs first: a backup of prod, or a signed-off refresh of uat.
        const backup = path.join(home, 'prod.dbmove');
        let input: Record<string, unknown> = { source: 'prod', target: 'uat' };
        if (scenario.kind === 'export') input = { source: 'prod', output: backup };
        if (scenario.kind === 'import') {
          const exported = await prepare(run, 'export', { source: 'prod', output: backup });
          await signOff(exported, follow(exported));
          input = { input: backup, target: 'train' };
        }
        if (scenario.kind === 'restore') {
          const refreshed = await prepare(run, 'refresh', { source: 'prod', target: 'uat' });
          const at = (await follow(refreshed)(['AWAITING_SIGNOFF'])).marker!.at;
          await signOff(refreshed, follow(refreshed));
          input = { target: 'uat', to: at };
        }
        const handle = await run(scenario.kind ?? 'refresh', input, `recorded: ${scenario.name}`);
        await scenario.drive(handle, follow(handle));
        const fetched = await handle.fetchHistory();
        if (!(await handle.describe().then((d) => d.status.name !== 'RUNNING'))) await handle.terminate('recorded while waiting for sign-off');
        return fetched;
      });
      // Plain protobuf objects (longs as strings, bytes as base64): History.fromObject reads them back.
      const plain = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, bytes: String, defaults: false });
      const scrubbed = replaceInPayloads(plain, home, '<estate>');
      const file = path.join(outDir, `${scenario.name}.json`);
      fs.writeFileSync(file, `${JSON.stringify(scrubbed, null, 1)}\n`);
      process.stdout.write(`Wrote ${path.relative(process.cwd(), file)} (${history.events?.length} events)\n`);
      fs.rmSync(home, { recursive: true, force: true });
    }
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
