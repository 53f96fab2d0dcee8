import { expect } from 'chai';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { readDeploymentVersions } from '../activities/deployment/versions';
import { parseCatalog } from '../config/catalog';
import { packageRoot } from '../config/package-root';

/**
 * Where an environment's versions come from (activities/deployment/versions.ts): declared in
 * the catalog, printed by a command, or answered by an HTTPS endpoint in dbmove's shape or in
 * Lifecycle Services' environment metadata shape. Every reading names its source; every
 * failure says what went wrong and changes nothing. The endpoints are real local servers.
 */
const TLS = path.join(packageRoot(), 'test', 'fixtures', 'tls');

function catalogWith(versions: unknown) {
  return parseCatalog(
    { environments: [{ name: 'uat', type: 'sandbox', engine: 'local', database: { path: 'uat.sqlite' }, versions }] },
    path.join(packageRoot(), 'environments.json'),
  );
}

async function read(versions: unknown, secrets: Record<string, string> = {}) {
  const catalog = catalogWith(versions);
  return readDeploymentVersions(catalog, catalog.environments[0], (name) => secrets[name]);
}

interface Served {
  url: string;
  requests: { url: string; authorization?: string }[];
  close(): Promise<void>;
}

async function serve(answer: (req: http.IncomingMessage) => { status: number; body: unknown }, tls = false): Promise<Served> {
  const requests: Served['requests'] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const { status, body } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server = tls
    ? https.createServer({ cert: fs.readFileSync(path.join(TLS, 'localhost.crt')), key: fs.readFileSync(path.join(TLS, 'localhost.key')) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('deployment versions, read from the source the catalog names', function () {
  this.timeout(30_000);

  it('declared: the values, each "declared in" the catalog file', async () => {
    const reading = await read({ from: 'declared', applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' });
    expect(reading.versions).to.deep.equal({ applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' });
    expect(reading.sources.applicationRelease).to.equal('declared in environments.json');
    expect(reading.error).to.equal(undefined);
  });

  it('command: JSON on standard output (platform update as LCS spells it), with DBMOVE_ENVIRONMENT set; a failure names the command and its output', async () => {
    const ok = await read({
      from: 'command',
      command: [
        process.execPath,
        '-e',
        'console.log(JSON.stringify({applicationRelease:"10.0.41",platformUpdate:"PU65",financialReporting:"10.0.41.20017",env:process.env.DBMOVE_ENVIRONMENT}))',
      ],
    });
    expect(ok.versions).to.deep.equal({ applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' });
    expect(ok.sources.platformUpdate).to.match(/^the command .*node.* -e /);
    const failed = await read({ from: 'command', command: [process.execPath, '-e', 'console.error("no token"); process.exit(4)'] });
    expect(failed.error).to.match(/the command .* exited with 4: no token/);
    expect(failed.versions).to.deep.equal({});
    const notJson = await read({ from: 'command', command: [process.execPath, '-e', 'console.log("10.0.41")'] });
    expect(notJson.error).to.match(/printed JSON without usable versions|not JSON/);
    const slow = await read({ from: 'command', command: [process.execPath, '-e', 'setTimeout(() => {}, 10000)'], timeout: '300ms' });
    expect(slow.error).to.match(/did not finish within 0 s and was stopped|did not finish within/);
    const missing = await read({ from: 'command', command: ['/nonexistent/versions-tool'] });
    expect(missing.error).to.match(/could not be started/);
  });

  it("endpoint in dbmove's shape, with the bearer token from the variable the catalog names", async () => {
    const server = await serve((req) =>
      req.headers.authorization === 'Bearer s3cret'
        ? { status: 200, body: { applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' } }
        : { status: 401, body: { error: 'unauthorized' } },
    );
    try {
      const source = { from: 'endpoint', url: `${server.url}/versions?code=abc`, tokenEnv: 'VERSIONS_TOKEN' };
      const ok = await read(source, { VERSIONS_TOKEN: 's3cret' });
      expect(ok.versions.platformUpdate).to.equal(65);
      // The source is named without its query string (it may carry a key).
      expect(ok.sources.applicationRelease).to.equal(`${server.url}/versions`);
      expect((await read(source)).error).to.match(/needs the token in VERSIONS_TOKEN, which is not set/);
      expect((await read(source, { VERSIONS_TOKEN: 'wrong' })).error).to.match(/answered HTTP 401/);
    } finally {
      await server.close();
    }
  });

  it("endpoint in Lifecycle Services' environment metadata shape: release and platform from LCS, Financial Reporting declared beside it", async () => {
    const data = {
      EnvironmentId: 'e7c53b85-8b6a-4ab9-8985-1e1ea89a0f0a',
      EnvironmentName: 'Contoso-UAT',
      CurrentApplicationBuildVersion: '10.0.1860.50',
      CurrentApplicationReleaseName: '10.0.41',
      CurrentPlatformReleaseName: 'Update65',
      CurrentPlatformVersion: '7.0.7279.51',
    };
    let answer: unknown = { ResultPageCurrent: 1, ResultHasMorePages: false, Data: [data], IsSuccess: true, OperationActivityId: 'x', ErrorMessage: null };
    const server = await serve(() => ({ status: 200, body: answer }));
    try {
      const url = `${server.url}/environmentinfo/v1/detail/project/1234567/?environmentId=${data.EnvironmentId}`;
      const reading = await read({ from: 'endpoint', url, format: 'lcs-environment-metadata', financialReporting: '10.0.41.20017' });
      expect(reading.versions).to.deep.equal({ applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' });
      expect(reading.sources.applicationRelease).to.equal(`${server.url}/environmentinfo/v1/detail/project/1234567/ (LCS environment metadata)`);
      expect(reading.sources.financialReporting).to.equal('declared in environments.json beside the LCS endpoint');
      answer = { IsSuccess: false, ErrorMessage: 'Project 1234567 not found', Data: [] };
      expect((await read({ from: 'endpoint', url, format: 'lcs-environment-metadata' })).error).to.match(
        /answered without the environment: Project 1234567 not found/,
      );
      answer = { IsSuccess: true, Data: [data, { ...data, EnvironmentName: 'Contoso-PROD' }] };
      expect((await read({ from: 'endpoint', url, format: 'lcs-environment-metadata' })).error).to.match(/answered 2 environments; ask for one/);
    } finally {
      await server.close();
    }
  });

  it('HTTPS: a certificate of an internal CA is trusted through caFile, and refused without it', async () => {
    const server = await serve(() => ({ status: 200, body: { applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' } }), true);
    try {
      const refused = await read({ from: 'endpoint', url: `${server.url}/versions` });
      expect(refused.error).to.match(/could not be read: .*(self-signed|certificate)/);
      const trusted = await read({ from: 'endpoint', url: `${server.url}/versions`, caFile: path.join(TLS, 'localhost.crt') });
      expect(trusted.error).to.equal(undefined);
      expect(trusted.versions.applicationRelease).to.equal('10.0.41');
    } finally {
      await server.close();
    }
  });

  it('the catalog refuses plain HTTP beyond the loopback interface and a source without its values', () => {
    expect(() => catalogWith({ from: 'endpoint', url: 'http://lcsapi.lcs.dynamics.com/x' })).to.throw(/must be https:\/\//);
    expect(() => catalogWith({ from: 'declared', applicationRelease: '10.0.41' })).to.throw(/platformUpdate/);
    expect(() => catalogWith({ from: 'ask-someone' })).to.throw(/versions\.from must be "declared", "command" or "endpoint"|from/);
  });
});
