import type { DatabaseIdentity, DataSession } from '../port';

/**
 * Identity on SQL Server: database-level extended properties (sys.extended_properties, class
 * 0), SQL Server's own metadata facility for a database. They live inside the database, so a
 * rename (SWAP) keeps them, and a backup, a restore and a point-in-time restore carry them:
 * a copy of production says "production" until SWAP's stamp on staging says otherwise, and a
 * rollback's restore to the marker gives back the identity the target had then.
 *
 * Names and values are bound as parameters; the procedures are sys.sp_addextendedproperty and
 * sys.sp_updateextendedproperty at database level (no level0 arguments).
 */
export const IDENTITY_PROPERTIES = {
  environment: 'dbmove.environment',
  type: 'dbmove.environmentType',
  operationId: 'dbmove.operation',
  stampedAt: 'dbmove.stampedAt',
} as const;

export const READ_IDENTITY_SQL =
  'SELECT CAST(name AS nvarchar(128)) AS name, CAST(value AS nvarchar(4000)) AS value FROM sys.extended_properties WHERE class = 0 AND name IN (@p0, @p1, @p2, @p3)';

/** Adds the property, or updates it when it exists: one statement, safe to repeat. */
export const WRITE_PROPERTY_SQL =
  'IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = @p0) BEGIN EXEC sys.sp_updateextendedproperty @name = @p0, @value = @p1 END ELSE BEGIN EXEC sys.sp_addextendedproperty @name = @p0, @value = @p1 END';

export async function readIdentityProperties(session: DataSession): Promise<DatabaseIdentity | undefined> {
  const rows = await session.query<{ name: string; value: string | null }>(READ_IDENTITY_SQL, Object.values(IDENTITY_PROPERTIES));
  const value = (name: string) => rows.find((r) => r.name === name)?.value ?? undefined;
  const environment = value(IDENTITY_PROPERTIES.environment);
  const type = value(IDENTITY_PROPERTIES.type);
  if (!environment || (type !== 'production' && type !== 'sandbox')) return undefined;
  return { environment, type, operationId: value(IDENTITY_PROPERTIES.operationId) || undefined, stampedAt: value(IDENTITY_PROPERTIES.stampedAt) };
}

export async function writeIdentityProperties(session: DataSession, identity: DatabaseIdentity): Promise<void> {
  const values: [string, string][] = [
    [IDENTITY_PROPERTIES.environment, identity.environment],
    [IDENTITY_PROPERTIES.type, identity.type],
    // An empty operation says "no operation's data": a live stamp clears an earlier one.
    [IDENTITY_PROPERTIES.operationId, identity.operationId ?? ''],
    [IDENTITY_PROPERTIES.stampedAt, identity.stampedAt ?? new Date().toISOString()],
  ];
  for (const [name, value] of values) await session.execute(WRITE_PROPERTY_SQL, [name, value]);
}
