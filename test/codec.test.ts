import { expect } from 'chai';
import * as crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, codecFromEnvironment, ENCRYPTED_ENCODING } from '../codec/aes-gcm-codec';
import { codecKeysFromEnvironment } from '../codec/codec-keys';
import { createCodecServer, listen } from '../codec/codec-server';
import { ConfigError } from '../config/config-error';
import { decide, getStatus, startOperation } from '../client/operations';
import { runCli, writeTemporalConfig } from './support/cli';
import { exportHistory, historyPayloads } from './support/history';
import { testServer } from './support/server';
import { estateWithWorker } from './support/fixture';

const key = () => crypto.randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const env1 = { DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k1' };
const env2 = { DBMOVE_CODEC_KEY: K2, DBMOVE_CODEC_KEY_ID: 'k2', DBMOVE_CODEC_OLD_KEYS: `k1=${K1}` };
const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const text = (p: { data?: Uint8Array | null }) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');

describe('the payload codec (AES-256-GCM, key id and rotation)', function () {
  this.timeout(120_000);

  it('round-trips payloads and hides their content', async () => {
    const codec = codecFromEnvironment(env1)!;
    const original = [payload({ by: 'alice@contoso.com', note: 'looks right' }), payload('uat'), payload(null)];
    const sealed = await codec.encode(original);
    for (const p of sealed) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).to.equal(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).to.equal('k1');
      expect(text(p)).to.not.contain('alice').and.not.contain('uat');
    }
    // Two encodings of the same value differ (fresh IV each time).
    expect(Buffer.from((await codec.encode([original[1]]))[0].data!).equals(Buffer.from(sealed[1].data!))).to.equal(false);
    const opened = await codec.decode(sealed);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).to.deep.equal([{ by: 'alice@contoso.com', note: 'looks right' }, 'uat', null]);
    // Payloads written before the codec was turned on pass through.
    expect(defaultPayloadConverter.fromPayload((await codec.decode([payload('plain')]))[0])).to.equal('plain');
  });

  it('fails clearly on an unknown key id, a different key under the same id, and an altered payload', async () => {
    const sealed = await codecFromEnvironment(env1)!.encode([payload('secret-ish')]);
    const other = new AesGcmCodec(codecKeysFromEnvironment({ DBMOVE_CODEC_KEY: K2, DBMOVE_CODEC_KEY_ID: 'k2' })!);
    const unknownId = await other.decode(sealed).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(unknownId?.name).to.equal('CodecKeyError');
    expect(unknownId?.message).to.match(
      /encrypted with key id "k1", which this process does not hold \(it holds "k2"\).*DBMOVE_CODEC_OLD_KEYS as k1=<base64 key>/,
    );
    const wrongKey = new AesGcmCodec(codecKeysFromEnvironment({ DBMOVE_CODEC_KEY: K2, DBMOVE_CODEC_KEY_ID: 'k1' })!);
    expect(
      (
        await wrongKey.decode(sealed).then(
          () => undefined,
          (e: Error) => e,
        )
      )?.message,
    ).to.match(/does not decrypt with the key held under that id/);
    const altered = { ...sealed[0], data: Buffer.from(sealed[0].data!) };
    altered.data[20] ^= 1;
    expect(
      (
        await codecFromEnvironment(env1)!
          .decode([altered])
          .then(
            () => undefined,
            (e: Error) => e,
          )
      )?.message,
    ).to.match(/was altered/);
    // Relabelling a payload to another key id is detected too (the id is authenticated).
    const relabelled = { ...sealed[0], metadata: { ...sealed[0].metadata, 'encryption-key-id': Buffer.from('k2') } };
    const both = codecFromEnvironment(env2)!;
    expect(
      (
        await both.decode([relabelled]).then(
          () => undefined,
          (e: Error) => e,
        )
      )?.message,
    ).to.match(/does not decrypt/);
  });

  it('rotates: the new key encrypts, old payloads still decrypt by their key id', async () => {
    const old = await codecFromEnvironment(env1)!.encode([payload({ written: 'before rotation' })]);
    const rotated = codecFromEnvironment(env2)!;
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(old))[0])).to.deep.equal({ written: 'before rotation' });
    const fresh = await rotated.encode([payload('after')]);
    expect(Buffer.from(fresh[0].metadata!['encryption-key-id']!).toString()).to.equal('k2');
    // Once the old key is dropped, old payloads are unreadable, and the error says which key is missing.
    const dropped = codecFromEnvironment({ DBMOVE_CODEC_KEY: K2, DBMOVE_CODEC_KEY_ID: 'k2' })!;
    expect(defaultPayloadConverter.fromPayload((await dropped.decode(fresh))[0])).to.equal('after');
    expect(
      (
        await dropped.decode(old).then(
          () => undefined,
          (e: Error) => e,
        )
      )?.message,
    ).to.match(/key id "k1"/);
  });

  it('refuses malformed keys at start-up without repeating them', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ DBMOVE_CODEC_KEY: 'not base64!!', DBMOVE_CODEC_KEY_ID: 'k1' }, /DBMOVE_CODEC_KEY: must be 32 bytes encoded in base64.*not base64/],
      [{ DBMOVE_CODEC_KEY: crypto.randomBytes(16).toString('base64'), DBMOVE_CODEC_KEY_ID: 'k1' }, /got 16 bytes/],
      [{ DBMOVE_CODEC_KEY: K1 }, /DBMOVE_CODEC_KEY_ID: is not set/],
      [{ DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k 1' }, /key id "k 1" must be/],
      [{ DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k1', DBMOVE_CODEC_OLD_KEYS: `k1=${K2}` }, /listed twice/],
      [
        { DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k1', DBMOVE_CODEC_OLD_KEYS: K2 },
        /id=<base64 key> pairs|DBMOVE_CODEC_OLD_KEYS \(entry 1\): must be 32 bytes/,
      ],
      // A bare key whose base64 happens to look like "id=" (no + or /): still not echoed.
      [
        { DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k1', DBMOVE_CODEC_OLD_KEYS: Buffer.alloc(32, 0x41).toString('base64') },
        /id=<base64 key> pairs|DBMOVE_CODEC_OLD_KEYS \(entry 1\): must be 32 bytes/,
      ],
      [
        { DBMOVE_CODEC_KEY: K1, DBMOVE_CODEC_KEY_ID: 'k1', DBMOVE_CODEC_OLD_KEYS: `old=${Buffer.alloc(16, 1).toString('base64')}` },
        /DBMOVE_CODEC_OLD_KEYS \(entry 1\): must be 32 bytes encoded in base64 \(AES-256\), got 16 bytes/,
      ],
      [{ DBMOVE_CODEC_OLD_KEYS: `k1=${K1}` }, /DBMOVE_CODEC_KEY: is not set/],
    ];
    for (const [env, message] of cases) {
      const err = (() => {
        try {
          codecKeysFromEnvironment(env);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(err, JSON.stringify(Object.keys(env))).to.be.instanceOf(ConfigError);
      expect(err!.message).to.match(message);
      for (const value of Object.values(env)) if (value && value.length > 20) expect(err!.message).to.not.contain(value);
    }
    expect(codecKeysFromEnvironment({})).to.equal(undefined);
  });

  it('with the codec on, history payloads are ciphertext; the codec server decodes them for the Web UI origin only', async () => {
    const { estate, worker } = await estateWithWorker(1000, 'codec', env2);
    const codecClient = new Client({
      connection: testServer().client.connection,
      namespace: 'default',
      dataConverter: { payloadCodecs: [codecFromEnvironment(env2)!] },
    });
    const handle = await worker.run(async () => {
      const h = await startOperation(
        codecClient,
        'refresh',
        'refresh',
        { source: 'prod', target: 'uat', requestedBy: 'codec-tester', tuning: { initialInterval: '100ms' } },
        { taskQueue: worker.taskQueue },
        'codec test',
      );
      for (let i = 0; i < 300; i++) {
        const status = await getStatus(codecClient, h).catch(() => undefined);
        if (status?.phase === 'AWAITING_SIGNOFF') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await decide(h, 'sign-off', { by: 'codec-tester' });
      await h.result();
      // Queries need a worker even on a closed workflow: ask while this one polls.
      // Without the key, a plain client cannot read the status; with it, the codec client and the command line can.
      const plainQuery = await testServer()
        .client.workflow.getHandle(h.workflowId)
        .query('status')
        .then(
          () => 'read',
          (e: Error) => e.message,
        );
      expect(plainQuery).to.match(/encoding|binary\/encrypted|Unknown/i);
      expect((await getStatus(codecClient, h)).signedOff?.by).to.equal('codec-tester');
      writeTemporalConfig(estate, worker.taskQueue);
      const withKey = await runCli(estate, ['status', h.workflowId, '--json'], env2);
      expect(withKey.code, withKey.stderr).to.equal(0);
      expect(JSON.parse(withKey.stdout).phase).to.equal('COMPLETED');
      return h;
    });

    const { history, binary } = await exportHistory(testServer().client.workflow.getHandle(handle.workflowId));
    // Temporal writes a patch marker's details (the patch id of `patched()`, nothing else) itself,
    // outside the payload codec: those are the only payloads allowed in the clear.
    const patchMarker = (p: (typeof payloads0)[number]) => /^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/.test(text(p));
    const payloads0 = historyPayloads(history);
    const payloads = payloads0.filter((p) => !patchMarker(p));
    expect(payloads.length).to.be.greaterThan(20);
    const clear = payloads.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING);
    expect(
      clear.map((p) => `${Buffer.from(p.metadata?.encoding ?? []).toString()}: ${text(p).slice(0, 60)}`),
      'payloads not encrypted',
    ).to.deep.equal([]);
    for (const p of payloads) expect(() => JSON.parse(text(p)), 'a payload reads as JSON').to.throw();
    expect(binary.includes(Buffer.from('codec-tester'))).to.equal(false);
    const origin = 'http://localhost:8233';
    const server = createCodecServer({ codec: codecFromEnvironment(env2)!, port: 0, allowedOrigins: [origin] });
    const port = await listen(server, 0, '127.0.0.1');
    expect((server.address() as AddressInfo).port).to.equal(port);
    try {
      const base = `http://127.0.0.1:${port}`;
      const asJson = (p: (typeof payloads)[number]) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data ?? []).toString('base64'),
      });
      const decoded = await fetch(`${base}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin, 'X-Namespace': 'default' },
        body: JSON.stringify({ payloads: payloads.map(asJson) }),
      });
      expect(decoded.status).to.equal(200);
      expect(decoded.headers.get('access-control-allow-origin')).to.equal(origin);
      const plain = ((await decoded.json()) as { payloads: { data: string }[] }).payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8'));
      expect(
        plain.some((t) => t.includes('"requestedBy":"codec-tester"')),
        'the workflow input decodes',
      ).to.equal(true);
      // Encode then decode through the server round-trips.
      const encoded = (await (
        await fetch(`${base}/encode`, {
          method: 'POST',
          body: JSON.stringify({
            payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }],
          }),
        })
      ).json()) as { payloads: { metadata: Record<string, string> }[] };
      expect(Buffer.from(encoded.payloads[0].metadata.encoding, 'base64').toString()).to.equal(ENCRYPTED_ENCODING);
      const back = (await (await fetch(`${base}/decode`, { method: 'POST', body: JSON.stringify(encoded) })).json()) as { payloads: { data: string }[] };
      expect(Buffer.from(back.payloads[0].data, 'base64').toString()).to.equal('"x"');

      const preflight = await fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-headers')).to.match(/X-Namespace/i);
      const foreign = await fetch(`${base}/decode`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: JSON.stringify({ payloads: [] }) });
      expect(foreign.status).to.equal(403);
      expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
      const bad = await fetch(`${base}/decode`, { method: 'POST', body: '{"payloads": "nope"}' });
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: string }).error).to.match(/must be \{"payloads": \[\.\.\.\]\}/);
    } finally {
      server.close();
    }
    // A server holding only a newer key says which key id it lacks.
    const newer = createCodecServer({ codec: codecFromEnvironment({ DBMOVE_CODEC_KEY: key(), DBMOVE_CODEC_KEY_ID: 'k3' })!, port: 0, allowedOrigins: [] });
    const newerPort = await listen(newer, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${newerPort}/decode`, {
        method: 'POST',
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(Object.entries(payloads[0].metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
              data: Buffer.from(payloads[0].data!).toString('base64'),
            },
          ],
        }),
      });
      expect(res.status).to.equal(422);
      expect(((await res.json()) as { error: string }).error).to.match(/key id "k2"/);
    } finally {
      newer.close();
    }
  });
});
