import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config/config-error';
import { connectClient } from '../config/connection';
import { packageRoot } from '../config/package-root';
import { loadTemporalConfig } from '../config/temporal-config';

/**
 * TLS towards a Temporal cluster, as deployments set it: the shared temporal.config.json names
 * the CA and the frontend's certificate name, each host brings its own client certificate
 * through TEMPORAL_TLS_* variables. Each variable must override its own setting only.
 */
describe('temporal.config.json TLS settings and the TEMPORAL_TLS_* variables', () => {
  const dir = path.join(packageRoot(), '.tmp', 'tests', `tls-config-${crypto.randomBytes(4).toString('hex')}`);
  const file = path.join(dir, 'temporal.config.json');
  const shared = {
    serverName: 'frontend.cluster.example',
    serverRootCaCertPath: 'certs/ca.pem',
    clientCertPath: 'certs/ops.pem',
    clientKeyPath: 'certs/ops.key',
  };

  function write(tls: unknown): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ address: 'temporal.internal:7233', namespace: 'dbmove', tls }));
  }

  it('resolves relative paths in the file against the file, not the current directory', () => {
    write(shared);
    expect(loadTemporalConfig(file, {}).tls).to.deep.equal({
      serverName: 'frontend.cluster.example',
      serverRootCaCertPath: path.join(dir, 'certs', 'ca.pem'),
      clientCertPath: path.join(dir, 'certs', 'ops.pem'),
      clientKeyPath: path.join(dir, 'certs', 'ops.key'),
    });
  });

  it("a worker's own client certificate from the environment keeps the file's CA and server name", () => {
    write(shared);
    const tls = loadTemporalConfig(file, {
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/dbmove/worker.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/dbmove/worker.key',
    }).tls;
    expect(tls).to.deep.equal({
      serverName: 'frontend.cluster.example',
      serverRootCaCertPath: path.join(dir, 'certs', 'ca.pem'),
      clientCertPath: '/etc/dbmove/worker.pem',
      clientKeyPath: '/etc/dbmove/worker.key',
    });
  });

  it('TEMPORAL_TLS_SERVER_NAME alone overrides the name and nothing else', () => {
    write(shared);
    expect(loadTemporalConfig(file, { TEMPORAL_TLS_SERVER_NAME: 'lb.cluster.example' }).tls).to.include({
      serverName: 'lb.cluster.example',
      serverRootCaCertPath: path.join(dir, 'certs', 'ca.pem'),
    });
    write(false);
    expect(loadTemporalConfig(file, { TEMPORAL_TLS_SERVER_NAME: 'lb.cluster.example' }).tls).to.deep.equal({ serverName: 'lb.cluster.example' });
  });

  it('TEMPORAL_TLS=true keeps the settings of the file; TEMPORAL_TLS=false turns TLS off whatever else is set', () => {
    write(shared);
    expect(loadTemporalConfig(file, { TEMPORAL_TLS: 'true' }).tls).to.include({ serverName: 'frontend.cluster.example' });
    expect(loadTemporalConfig(file, { TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_NAME: 'x.example' }).tls).to.equal(false);
    write(false);
    expect(loadTemporalConfig(file, { TEMPORAL_TLS: '1' }).tls).to.equal(true);
    expect(loadTemporalConfig(file, {}).tls).to.equal(false);
  });

  it('refuses a client certificate without its key, naming where each came from and the fix', () => {
    write({ clientCertPath: 'certs/ops.pem' });
    expect(() => loadTemporalConfig(file, {})).to.throw(
      ConfigError,
      /tls\.clientCertPath: clientCertPath is set but clientKeyPath is not.*Fix: set tls\.clientKeyPath in temporal\.config\.json or TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    write(false);
    expect(() => loadTemporalConfig(file, { TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' })).to.throw(
      ConfigError,
      /environment variable TEMPORAL_TLS_CLIENT_KEY_PATH: clientKeyPath is set but clientCertPath is not/,
    );
  });

  it('a certificate file that cannot be read is a configuration error naming the setting, before any connection', async () => {
    write({ serverName: shared.serverName, serverRootCaCertPath: 'certs/missing-ca.pem' });
    const config = loadTemporalConfig(file, {});
    const err = await connectClient(config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(
      /tls\.serverRootCaCertPath: cannot read .*missing-ca\.pem \(ENOENT\)\. Fix: point tls\.serverRootCaCertPath or TEMPORAL_TLS_SERVER_CA_CERT_PATH at a readable PEM file/,
    );
  });
});
