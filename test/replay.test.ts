import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { ReplayWorkerOptions, Worker } from '@temporalio/worker';
import { packageRoot } from '../config/package-root';
import { workflowSource } from '../worker/create-worker';

/**
 * Histories of real operations (recorded by `node dist/scripts/record-histories.js`) replayed
 * against the current workflow code. Operations wait days for sign-off; a worker with new
 * code must be able to carry on every one of them. A change that breaks this fails here: guard
 * it with `patched()`, or, when the break is intended, record the histories again.
 */
const DIR = path.join(packageRoot(), 'test', 'histories');

function load(file: string): { workflowId: string; history: temporal.api.history.v1.IHistory; raw: unknown } {
  const raw = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
  return { workflowId: path.basename(file, '.json'), history: temporal.api.history.v1.History.fromObject(raw), raw };
}

/**
 * Replays one history on a replay worker polling the task queue the operation ran on: the
 * environment lease's id names the task queue (workflowInfo().taskQueue), as it does for a
 * real worker, which always runs an operation on the queue it was started on.
 */
async function replay(workflowId: string, history: temporal.api.history.v1.IHistory) {
  const taskQueue = history.events?.[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name;
  if (!taskQueue) throw new Error(`${workflowId}: the history does not start with WorkflowExecutionStarted`);
  const options = { ...workflowSource(), taskQueue } as ReplayWorkerOptions; // the SDK honours taskQueue; its type hides it
  const results = [];
  for await (const result of Worker.runReplayHistories(options, [{ workflowId, history }])) results.push(result);
  return results;
}

/** Every JSON payload of a history, decoded. */
function payloadTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => payloadTexts(n, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.metadata && typeof record.data === 'string') out.push(Buffer.from(record.data, 'base64').toString('utf8'));
    else Object.values(record).forEach((v) => payloadTexts(v, out));
  }
  return out;
}

describe('recorded operation histories replay on the current workflow code', function () {
  this.timeout(120_000);
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has the recorded scenarios: refresh completed, awaiting sign-off, failed then rolled back, failed then retried, rolled back after SWAP; export, import and restore', () => {
    expect(files).to.deep.equal([
      'export-completed.json',
      'export-failed-rolled-back.json',
      'import-completed.json',
      'import-rolled-back-after-swap.json',
      'refresh-awaiting-signoff.json',
      'refresh-completed.json',
      'refresh-failed-retried.json',
      'refresh-failed-rolled-back.json',
      'refresh-rolled-back-after-swap.json',
      'restore-completed.json',
    ]);
  });

  it('replays every history without a nondeterminism error', async () => {
    const histories = files.map(load);
    const results = [];
    for (const h of histories) results.push(...(await replay(h.workflowId, h.history)));
    expect(results.map((r) => [r.workflowId, r.error ? String(r.error.message ?? r.error) : null])).to.deep.equal(histories.map((h) => [h.workflowId, null]));
  });

  it('would catch a change: a history whose first step differs from the code fails to replay', async () => {
    const { raw } = load('refresh-completed.json');
    const events = (raw as { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] }).events;
    const first = events.find((e) => e.activityTaskScheduledEventAttributes)!;
    first.activityTaskScheduledEventAttributes!.activityType.name = 'somethingElse';
    const results = await replay('tampered', temporal.api.history.v1.History.fromObject(raw as object));
    expect(results).to.have.length(1);
    expect(results[0].error?.name).to.equal('DeterminismViolationError');
  });

  it('carries names only: no secret, and no path of the machine that recorded it', () => {
    for (const file of files) {
      const texts = payloadTexts(load(file).raw).join('\n');
      expect(texts, file).to.match(/"target":"(uat|train)"|"source":"prod"/);
      // The demo's SMTP passwords live in its databases; none may travel into the history.
      expect(texts, file).to.not.match(/demo-(production|uat|train)-smtp-password|"PASSWORD"\s*:\s*"[^"]/i);
      expect(texts, file).to.not.match(/\/(tmp|work|home|Users)\//);
      expect(texts, file).to.contain('<estate>');
    }
  });
});
