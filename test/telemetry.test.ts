import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { writeTemporalConfig } from './support/cli';
import { createTestEstate } from './support/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { freePort } from './support/ports';
import { spawnWorker } from './support/worker-process';
import { decide } from '../client/operations';

/** The Temporal runtime is installed once per process, and the test process already has one, so these run the real `dbmove worker` as a child process with the variables set. */

describe('worker telemetry (off by default)', function () {
  this.timeout(120_000);

  it('serves temporal_ metrics in Prometheus format when DBMOVE_METRICS_ADDRESS is set', async () => {
    const estate = createTestEstate(500, 'metrics');
    const taskQueue = `metrics-${Date.now()}`;
    writeTemporalConfig(estate, taskQueue);
    const port = await freePort();
    const worker = spawnWorker(estate, undefined, { DBMOVE_METRICS_ADDRESS: `127.0.0.1:${port}` });
    try {
      const deadline = Date.now() + 30_000;
      let text = '';
      while (Date.now() < deadline) {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        text = response?.ok ? await response.text() : '';
        if (/^temporal_request\{/m.test(text)) break;
        if (worker.child.exitCode !== null) throw new Error(`the worker exited: ${worker.output()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(text, worker.output()).to.match(/^# (HELP|TYPE) temporal_/m);
      if (process.env.DBMOVE_SHOW_METRICS)
        console.log(
          text
            .split('\n')
            .filter((l) => l.startsWith('temporal_request'))
            .slice(0, 5)
            .join('\n'),
        );
      expect(text).to.match(/^temporal_request\{[^}]*service_name="temporal-core-sdk"[^}]*\} [1-9]/m);
    } finally {
      await worker.stop('SIGINT');
    }
  });

  it('exports OpenTelemetry spans over OTLP/HTTP when DBMOVE_OTEL_ENDPOINT is set', async () => {
    const estate = createTestEstate(500, 'tracing');
    const taskQueue = `tracing-${Date.now()}`;
    writeTemporalConfig(estate, taskQueue);
    const posts: { url?: string; bytes: number }[] = [];
    const collector = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c) => (bytes += c.length));
      req.on('end', () => {
        posts.push({ url: req.url, bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
    const worker = spawnWorker(estate, undefined, { DBMOVE_OTEL_ENDPOINT: endpoint });
    try {
      const handle = await startRefresh({ taskQueue } as never, { target: 'train' });
      await waitForPhase(handle, ['AWAITING_SIGNOFF'], 90_000);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
      // The batch processor exports workflow spans on its timer (every 5 s).
      const deadline = Date.now() + 20_000;
      while (!posts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(posts.length, worker.output()).to.be.greaterThan(0);
      expect(posts.every((p) => p.url === '/v1/traces' && p.bytes > 0)).to.equal(true);
    } finally {
      await worker.stop('SIGINT');
      await new Promise((r) => collector.close(r));
    }
  });
});
