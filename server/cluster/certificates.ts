import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterLayout } from './layout';
import { mustRun, runCommand } from './run-command';

/**
 * The cluster's certificates, made with openssl at start-up into the git-ignored state folder
 * and never committed: a CA, the frontend's server certificate, and one client certificate per
 * identity, because that is what a real deployment hands out:
 *
 *   system-worker  Temporal's own worker service, a client of the frontend like any other
 *   dbmove-cli     people and scripts running `dbmove ...` (the profile's default)
 *   dbmove-worker  `dbmove worker` processes (TEMPORAL_TLS_CLIENT_CERT_PATH/KEY_PATH)
 *
 * The frontend's certificate names only `layout.frontendName`, not 127.0.0.1, so a client
 * that does not set tls.serverName fails: the profile proves that setting works. Keys are EC
 * P-256, files 0600. The CA's key is deleted once the set is signed: nothing can sign another
 * certificate for this cluster; a new set means a new CA.
 */
export const CLIENT_IDENTITIES = ['system-worker', 'dbmove-cli', 'dbmove-worker'] as const;
export type ClientIdentity = (typeof CLIENT_IDENTITIES)[number];

const VALID_DAYS = 30;
/** Renewed at start-up when any certificate has less than this left. */
const RENEW_BEFORE_SECONDS = 7 * 24 * 3600;
const OPENSSL_FIX = 'install openssl (Debian: apt-get install -y openssl)';

export interface CertificatePair {
  cert: string;
  key: string;
}

export function caCertificate(layout: ClusterLayout): string {
  return path.join(layout.certsDir, 'ca.pem');
}

export function certificatePair(layout: ClusterLayout, name: 'frontend' | ClientIdentity): CertificatePair {
  return { cert: path.join(layout.certsDir, `${name}.pem`), key: path.join(layout.certsDir, `${name}.key`) };
}

function allFiles(layout: ClusterLayout): string[] {
  return [caCertificate(layout), ...(['frontend', ...CLIENT_IDENTITIES] as const).flatMap((n) => Object.values(certificatePair(layout, n)))];
}

/** True when every file is there and every certificate is valid for at least another week. */
export async function certificatesValid(layout: ClusterLayout): Promise<boolean> {
  if (!allFiles(layout).every((f) => fs.existsSync(f))) return false;
  for (const pem of allFiles(layout).filter((f) => f.endsWith('.pem'))) {
    const check = await runCommand('openssl', ['x509', '-noout', '-checkend', String(RENEW_BEFORE_SECONDS), '-in', pem]);
    if (check.code !== 0) return false;
  }
  return true;
}

export async function createCertificates(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  log(`Generating certificates (CA, frontend "${layout.frontendName}", ${CLIENT_IDENTITIES.join(', ')}) in ${layout.certsDir}`);
  // Built beside the old set and swapped in whole, so a failure never leaves a mixed set.
  const work = `${layout.certsDir}.new`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(work, name);
  const openssl = (what: string, args: string[]) => mustRun(what, 'openssl', args, OPENSSL_FIX);

  await newKey(file('ca.key'));
  await openssl('Creating the CA', [
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-sha256',
    '-days',
    String(VALID_DAYS),
    '-subj',
    '/CN=dbmove cluster CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    file('ca.pem'),
  ]);
  const leaves: [string, string][] = [
    ['frontend', `subjectAltName=DNS:${layout.frontendName}\nextendedKeyUsage=serverAuth`],
    ...CLIENT_IDENTITIES.map((n): [string, string] => [n, 'extendedKeyUsage=clientAuth']),
  ];
  for (const [name, usage] of leaves) {
    await newKey(file(`${name}.key`));
    await openssl(`Requesting ${name}'s certificate`, ['req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${name}`, '-out', file(`${name}.csr`)]);
    fs.writeFileSync(file(`${name}.ext`), `${usage}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
    await openssl(`Signing ${name}'s certificate`, [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      `0x${crypto.randomBytes(16).toString('hex')}`,
      '-days',
      String(VALID_DAYS),
      '-sha256',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    ]);
    fs.rmSync(file(`${name}.csr`));
    fs.rmSync(file(`${name}.ext`));
  }
  fs.rmSync(file('ca.key'));
  fs.rmSync(layout.certsDir, { recursive: true, force: true });
  fs.renameSync(work, layout.certsDir);
}

async function newKey(file: string): Promise<void> {
  await mustRun('Generating a key', 'openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], OPENSSL_FIX);
  fs.chmodSync(file, 0o600);
}
