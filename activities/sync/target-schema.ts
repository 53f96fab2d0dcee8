import * as fs from 'node:fs';
import { ConfigError } from '../../config/config-error';
import { unreadableFileReason } from '../../config/files';
import type { EnvironmentConfig } from '../../config/catalog';
import type { SchemaDefinition } from '../../engines/schema';
import type { ActivityDeps } from '../runtime';
import { withSession } from '../sessions';

/** The target's own schema: its definition file when the catalog names one, else its live database. */
export async function targetSchema(deps: ActivityDeps, env: EnvironmentConfig): Promise<SchemaDefinition> {
  if (env.schemaDefinition) {
    const unusable = unreadableFileReason(env.schemaDefinition);
    if (unusable)
      throw new ConfigError(
        env.schemaDefinition,
        '',
        `the schema definition of ${env.name} ${unusable}`,
        `correct ${env.name}'s schemaDefinition in the catalog`,
      );
    return JSON.parse(fs.readFileSync(env.schemaDefinition, 'utf8')) as SchemaDefinition;
  }
  return withSession(deps.engineFor(env).openLive(env), (s) => s.introspect());
}
