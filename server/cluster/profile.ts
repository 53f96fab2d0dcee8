import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';
import { loadTemporalConfig, TemporalConfig } from '../../config/temporal-config';
import { caCertificate, certificatePair, ClientIdentity } from './certificates';
import { ClusterLayout, frontendAddress } from './layout';

/**
 * How dbmove reaches the cluster: an ordinary temporal.config.json (state/cluster/
 * temporal.config.json), read by the same loader as every other deployment's. Use it with
 * DBMOVE_TEMPORAL_CONFIG=<that file>, or copy it into a dbmove home; or set the TEMPORAL_*
 * variables `variables()` lists. There is no cluster-only code path in dbmove.
 */
export function writeProfile(layout: ClusterLayout): string {
  const client = certificatePair(layout, 'dbmove-cli');
  const profile = {
    $schema: path.relative(layout.root, path.join(packageRoot(), 'schemas', 'temporal.config.schema.json')),
    address: frontendAddress(layout),
    namespace: layout.namespace,
    taskQueue: 'dbmove',
    // Paths relative to this file, so the profile stays valid wherever the checkout moves.
    tls: {
      serverName: layout.frontendName,
      serverRootCaCertPath: path.relative(layout.root, caCertificate(layout)),
      clientCertPath: path.relative(layout.root, client.cert),
      clientKeyPath: path.relative(layout.root, client.key),
    },
  };
  fs.writeFileSync(layout.profileFile, `${JSON.stringify(profile, null, 2)}\n`);
  return layout.profileFile;
}

/** The profile as dbmove loads it, ignoring this process's own TEMPORAL_* variables. */
export function loadProfile(layout: ClusterLayout): TemporalConfig {
  return loadTemporalConfig(layout.profileFile, {});
}

/** The same connection as environment variables, with the client certificate of `identity`. */
export function variables(layout: ClusterLayout, identity: ClientIdentity = 'dbmove-cli'): Record<string, string> {
  const pair = certificatePair(layout, identity);
  return {
    TEMPORAL_ADDRESS: frontendAddress(layout),
    TEMPORAL_NAMESPACE: layout.namespace,
    TEMPORAL_TLS_SERVER_NAME: layout.frontendName,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: caCertificate(layout),
    TEMPORAL_TLS_CLIENT_CERT_PATH: pair.cert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pair.key,
  };
}
