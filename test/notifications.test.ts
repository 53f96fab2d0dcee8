import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { decide } from '../client/operations';
import type { OperationEvent } from '../workflows/sinks';
import type { OperationResult } from '../workflows/types';
import { createTestEstate, query, TestEstate } from './support/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { createTestWorker } from './support/worker';

interface Received {
  body: OperationEvent & { type: string };
  authorization?: string;
  answered: number;
}

/** A webhook receiver on loopback that answers its first POST with 500, to prove the retry. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const answered = received.length === 0 ? 500 : 200;
      received.push({ body: JSON.parse(data), authorization: req.headers.authorization, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/dbmove`, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe('downtime notice and webhooks', function () {
  this.timeout(120_000);
  let estate: TestEstate;

  beforeEach(() => {
    estate = createTestEstate(1000, 'notify');
  });

  it('broadcasts the downtime before SWAP and POSTs every phase, the failure and the completion to the webhook, retrying', async () => {
    const receiver = await startReceiver();
    try {
      estate.editCatalog((catalog) => {
        const uat = catalog.environments.find((e: { name: string }) => e.name === 'uat');
        uat.notifications = { broadcastLeadTime: '1s', webhooks: [{ url: receiver.url, secretEnv: 'DBMOVE_TEST_WEBHOOK_TOKEN' }] };
      });
      // SWAP fails once: the target is still live, so its broadcast row can be read, and FAILED is notified.
      const worker = await createTestWorker(estate, { DBMOVE_TEST_WEBHOOK_TOKEN: 'hook-token', DBMOVE_FAULTS: 'SWAP=fail-once' });
      const result = await worker.run(async () => {
        const handle = await startRefresh(worker);
        const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
        expect(failed.phase).to.equal('FAILED');
        expect(failed.failure!.step).to.equal('SWAP');
        // F&O's SYSBROADCASTMESSAGE holds the window (FROMDATETIME, TODATETIME, AOSID); the client words the notice. One row, however often NOTIFY ran.
        const broadcast = query<{ FROMDATETIME: string; TODATETIME: string }>(
          estate.database('uat'),
          'SELECT FROMDATETIME, TODATETIME FROM SYSBROADCASTMESSAGE',
        );
        expect(broadcast).to.have.length(1);
        expect(Date.parse(broadcast[0].TODATETIME)).to.be.greaterThan(Date.parse(broadcast[0].FROMDATETIME));
        await decide(handle, 'retry', { by: 'tester' });
        await waitForPhase(handle, ['AWAITING_SIGNOFF']);
        await decide(handle, 'sign-off', { by: 'tester' });
        return (await handle.result()) as OperationResult;
      });
      expect(result.phase).to.equal('COMPLETED');

      const deadline = Date.now() + 15_000;
      const delivered = () => receiver.received.filter((r) => r.answered === 200).map((r) => r.body);
      while (!delivered().some((e) => e.phase === 'COMPLETED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // At least once: a workflow task that runs again re-sends; repeats carry the same sequence.
      const bySequence = new Map<number, OperationEvent>();
      for (const e of delivered()) {
        if (bySequence.has(e.sequence)) expect(e, 'a repeat is the same event').to.deep.include({ phase: bySequence.get(e.sequence)!.phase });
        else bySequence.set(e.sequence, e);
      }
      const events = [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
      expect(events.map((e) => e.sequence)).to.deep.equal(events.map((_e, i) => i + 1));
      expect(events.map((e) => e.phase)).to.deep.equal([
        'PRECHECK',
        'MARKER',
        'COPY',
        'SCRUB',
        'SYNC',
        'POSTCONFIG',
        'VERIFY',
        'NOTIFY',
        'SWAP',
        'FAILED',
        'SWAP',
        'AWAITING_SIGNOFF',
        'COMPLETED',
      ]);
      for (const e of events) expect(e).to.include({ type: 'dbmove.phase', operationId: result.operationId, kind: 'refresh', source: 'prod', target: 'uat' });
      expect(events.find((e) => e.phase === 'FAILED')!.message).to.match(/SWAP|injected/i);
      // The first POST was answered 500 and delivered again.
      expect(receiver.received[0].answered).to.equal(500);
      expect(delivered().filter((e) => e.phase === receiver.received[0].body.phase && e.at === receiver.received[0].body.at)).to.have.length(1);
      expect(new Set(receiver.received.map((r) => r.authorization))).to.deep.equal(new Set(['Bearer hook-token']));
    } finally {
      await receiver.close();
    }
  });
});
