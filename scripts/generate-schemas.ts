import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { scrubPolicyFileSchema } from '../activities/policy/scrub-policy';
import { catalogSchema } from '../config/catalog';
import { packageRoot } from '../config/package-root';
import { temporalConfigSchema } from '../config/temporal-config-schema';

/**
 * JSON Schemas for the files people edit (the catalog, the Temporal settings, scrub policies), generated from the zod schemas dbmove itself
 * validates with, so editors complete and check exactly what the loader accepts (except
 * rules zod cannot express in JSON Schema, such as unique environment names). The example
 * files point at them with "$schema". Run after changing a config schema:
 *
 *   npm run build && node dist/scripts/generate-schemas.js
 *
 * test/schemas.test.ts fails when the committed files are out of date.
 */
export const SCHEMA_DIR = 'schemas';

export function generatedSchemas(): Record<string, string> {
  const render = (schema: z.ZodType, id: string, title: string, description: string) =>
    `${JSON.stringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), $id: id, title, description }, null, 2)}\n`;
  return {
    'environments.schema.json': render(
      catalogSchema,
      'https://dbmove.local/schemas/environments.schema.json',
      'dbmove environment catalog (environments.json)',
      'The environments dbmove moves databases between: engine, database location, post-configuration, approvers, notifications. Secrets are named by environment variable, never written here.',
    ),
    'temporal.config.schema.json': render(
      temporalConfigSchema,
      'https://dbmove.local/schemas/temporal.config.schema.json',
      'dbmove Temporal connection (temporal.config.json)',
      'How dbmove reaches Temporal; TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the API key variable override it.',
    ),
    'scrub-policy.schema.json': render(
      scrubPolicyFileSchema,
      'https://dbmove.local/schemas/scrub-policy.schema.json',
      'dbmove scrub policy (policies/*.json and the files named in scrubPolicies)',
      'Data elements that must not travel: tables to clear, rows to delete, columns to set or mask. VERIFY proves each one after SCRUB.',
    ),
  };
}

if (require.main === module) {
  const dir = path.join(packageRoot(), SCHEMA_DIR);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(generatedSchemas())) {
    fs.writeFileSync(path.join(dir, file), text);
    process.stdout.write(`Wrote ${SCHEMA_DIR}/${file}\n`);
  }
}
