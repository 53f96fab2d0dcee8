import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config/config-error';
import { loadCatalog } from '../config/catalog';
import { loadTemporalConfig } from '../config/temporal-config';
import { demoCatalog } from '../demo/estate';
import { packageRoot } from '../config/package-root';

const dir = path.join(packageRoot(), '.tmp', 'config-tests');

function catalogFile(edit: (c: any) => void): string {
  fs.mkdirSync(dir, { recursive: true });
  const catalog = JSON.parse(JSON.stringify(demoCatalog()));
  edit(catalog);
  const file = path.join(dir, `catalog-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(catalog));
  return file;
}

function loadError(file: string): ConfigError {
  try {
    loadCatalog(file);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration is validated at load, and errors name the file, the key and the fix', () => {
  it('accepts the shipped catalog and resolves database paths next to it', () => {
    const catalog = loadCatalog(path.join(packageRoot(), 'environments.json'));
    const uat = catalog.environments.find((e) => e.name === 'uat')!;
    expect(uat.engine === 'local' && uat.database.path).to.equal(path.join(packageRoot(), 'state', 'estate', 'uat.sqlite'));
    expect(uat.batchServers).to.deep.equal(['UAT-BATCH-01', 'UAT-BATCH-02']);
  });

  it('names the key of a wrong environment type and lists the allowed values', () => {
    const file = catalogFile((c) => (c.environments[1].type = 'prod'));
    const err = loadError(file);
    expect(err.file).to.equal(file);
    expect(err.key).to.equal('environments[1].type');
    expect(err.message).to.match(/must be "production" or "sandbox"/);
    expect(err.message).to.match(/Fix: set "type" to "production" or "sandbox"/);
  });

  it('refuses a secret written into the catalog and says where it belongs', () => {
    const file = catalogFile((c) => (c.environments[1].versions.token = 'hunter2'));
    const err = loadError(file);
    expect(err.key).to.equal('environments[1].versions.token');
    expect(err.message).to.match(/secrets are never read from config files/);
    expect(err.message).to.match(/tokenEnv/);
    expect(err.message).not.to.contain('hunter2');
  });

  it('refuses the SMTP password in any form, saying it is re-entered in the client (F&O encrypts it with the environment key)', () => {
    for (const key of ['smtpPassword', 'smtpPasswordEnv']) {
      const err = loadError(catalogFile((c) => (c.environments[1].mail[key] = key === 'smtpPassword' ? 'hunter2' : 'UAT_SMTP_PASSWORD')));
      expect(err.key).to.equal(`environments[1].mail.${key}`);
      expect(err.message).to.match(/re-enter it in System administration > Setup > Email > Email parameters/);
      expect(err.message).not.to.contain('hunter2');
    }
  });

  it('refuses a value where an environment variable name belongs', () => {
    const err = loadError(catalogFile((c) => (c.environments[1].versions = { from: 'endpoint', url: 'https://lcs.example.com/x', tokenEnv: 'my token' })));
    expect(err.key).to.equal('environments[1].versions.tokenEnv');
    expect(err.message).to.match(/must be the NAME of an environment variable/);
  });

  it('refuses duplicate environment names and names that could inject', () => {
    expect(loadError(catalogFile((c) => (c.environments[2].name = 'uat'))).message).to.match(
      /environments\[2\]\.name: "uat" is already used by environments\[1\]/,
    );
    expect(loadError(catalogFile((c) => (c.environments[2].name = "uat'; DROP TABLE x;--"))).key).to.equal('environments[2].name');
  });

  it('says when the catalog is missing or is not JSON, and how to get one', () => {
    expect(loadError(path.join(dir, 'nope.json')).message).to.match(/does not exist.*dbmove demo/);
    const file = path.join(dir, 'broken.json');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, '{ "environments": [ ');
    expect(loadError(file).message).to.match(/is not valid JSON.*Fix: fix the JSON syntax/);
  });

  it('reads temporal.config.json, overridden by TEMPORAL_* variables; an API key only from the environment', () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'temporal.config.json');
    fs.writeFileSync(file, JSON.stringify({ address: 'temporal.internal:7233', namespace: 'erp', taskQueue: 'dbmove-prod' }));
    const plain = loadTemporalConfig(file, {});
    expect(plain).to.include({ address: 'temporal.internal:7233', namespace: 'erp', taskQueue: 'dbmove-prod', tls: false, apiKey: undefined });
    const overridden = loadTemporalConfig(file, { TEMPORAL_ADDRESS: 'cloud.example:7233', TEMPORAL_NAMESPACE: 'erp.acct', TEMPORAL_API_KEY: 'k' });
    expect(overridden).to.include({ address: 'cloud.example:7233', namespace: 'erp.acct', apiKey: 'k', tls: true });
    fs.writeFileSync(file, JSON.stringify({ apiKey: 'k' }));
    expect(() => loadTemporalConfig(file, {})).to.throw(ConfigError, /apiKey.*TEMPORAL_API_KEY environment variable/);
    expect(() => loadTemporalConfig(undefined, { TEMPORAL_ADDRESS: 'no port' })).to.throw(ConfigError, /TEMPORAL_ADDRESS.*host:port/);
  });
});
