import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { packageRoot } from '../config/package-root';
import { generatedSchemas, SCHEMA_DIR } from '../scripts/generate-schemas';

describe('JSON Schemas of the configuration files', () => {
  it('are up to date with the zod schemas (regenerate: node dist/scripts/generate-schemas.js)', () => {
    for (const [file, text] of Object.entries(generatedSchemas())) {
      const committed = path.join(packageRoot(), SCHEMA_DIR, file);
      expect(fs.existsSync(committed), `${SCHEMA_DIR}/${file} is missing`).to.equal(true);
      expect(fs.readFileSync(committed, 'utf8'), `${SCHEMA_DIR}/${file} is out of date`).to.equal(text);
    }
  });

  it('are referenced by every shipped scrub policy, and the reference resolves', () => {
    const policies = fs.readdirSync(path.join(packageRoot(), 'policies')).filter((f) => f.endsWith('-scrub.json'));
    expect(policies).to.have.length.greaterThan(0);
    for (const file of policies) {
      const raw = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'policies', file), 'utf8'));
      expect(raw.$schema, file).to.equal(`../${SCHEMA_DIR}/scrub-policy.schema.json`);
      expect(fs.existsSync(path.join(packageRoot(), 'policies', raw.$schema)), `${file}: ${raw.$schema}`).to.equal(true);
    }
  });

  it('are referenced by the example files, and describe every key those files use', () => {
    for (const [example, schemaFile] of [
      ['environments.json', 'environments.schema.json'],
      ['temporal.config.json', 'temporal.config.schema.json'],
    ]) {
      const raw = JSON.parse(fs.readFileSync(path.join(packageRoot(), example), 'utf8'));
      expect(raw.$schema, example).to.equal(`./${SCHEMA_DIR}/${schemaFile}`);
      const schema = JSON.parse(fs.readFileSync(path.join(packageRoot(), SCHEMA_DIR, schemaFile), 'utf8'));
      for (const key of Object.keys(raw)) expect(schema.properties, `${example}: ${key}`).to.have.property(key);
      expect(schema.additionalProperties, `${schemaFile} rejects unknown keys, as the loader does`).to.equal(false);
    }
    // Every environment key used in the example catalog is known to the branch of its engine.
    const catalog = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'environments.json'), 'utf8'));
    const schema = JSON.parse(fs.readFileSync(path.join(packageRoot(), SCHEMA_DIR, 'environments.schema.json'), 'utf8'));
    const branches = schema.properties.environments.items.oneOf as { properties: Record<string, { const?: string }> }[];
    for (const env of catalog.environments) {
      const branch = branches.find((b) => b.properties.engine.const === env.engine);
      expect(branch, env.engine).to.not.equal(undefined);
      for (const key of Object.keys(env)) expect(branch!.properties, `${env.name}.${key}`).to.have.property(key);
    }
  });
});
