import type { DatabaseIdentity } from '../port';
import { armCall, ServerApi } from './arm';

/**
 * Identity on Azure SQL Database: tags on the database resource, Azure Resource Manager's own
 * metadata. A rename (SWAP) moves the resource and its tags; a copy, a point-in-time restore
 * and an import create a new resource without them, so SWAP stamps staging just before the
 * rename, and a rollback's restore takes the tags of the database it restored from.
 */
export const IDENTITY_TAGS = {
  environment: 'dbmove-environment',
  type: 'dbmove-environment-type',
  operationId: 'dbmove-operation',
  stampedAt: 'dbmove-stamped-at',
} as const;

export function identityFromTags(tags: Record<string, string> | undefined): DatabaseIdentity | undefined {
  const environment = tags?.[IDENTITY_TAGS.environment];
  const type = tags?.[IDENTITY_TAGS.type];
  if (!environment || (type !== 'production' && type !== 'sandbox')) return undefined;
  return { environment, type, operationId: tags?.[IDENTITY_TAGS.operationId] || undefined, stampedAt: tags?.[IDENTITY_TAGS.stampedAt] };
}

export function identityTags(identity: DatabaseIdentity): Record<string, string> {
  return {
    [IDENTITY_TAGS.environment]: identity.environment,
    [IDENTITY_TAGS.type]: identity.type,
    [IDENTITY_TAGS.operationId]: identity.operationId ?? '',
    [IDENTITY_TAGS.stampedAt]: identity.stampedAt ?? new Date().toISOString(),
  };
}

/** PATCH the database's tags: the identity's keys set, every other tag kept. */
export async function writeIdentityTags(api: ServerApi, database: string, tags: Record<string, string>, pollIntervalMs: number): Promise<void> {
  const current = await api.database(database);
  if (!current) throw new Error(`Cannot tag ${api.location(database)}: it does not exist`);
  await armCall(`Tagging ${api.location(database)}`, () =>
    api.client.databases.beginUpdateAndWait(
      api.resourceGroup,
      api.server,
      database,
      { tags: { ...(current.tags ?? {}), ...tags } },
      { updateIntervalInMs: pollIntervalMs },
    ),
  );
}
