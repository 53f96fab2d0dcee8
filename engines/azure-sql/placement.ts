import type { Database, DatabaseUpdate, Sku } from '@azure/arm-sql';

/**
 * Where a database runs and how big it may grow: its elastic pool, or its compute size (and
 * serverless settings) as a single database, and its max size. A staging copy becomes the
 * target at SWAP, and a rollback's restore replaces it again, so both must run as the database
 * they replace did; the rules of Azure SQL Database decide how they get there:
 *
 *   - a copy keeps the source's service tier: only the compute size may change, within the
 *     tier ("Copy a transactionally consistent copy of a database", Overview); so a copy whose
 *     target runs in another tier is made in the source's tier and scaled after (an update);
 *   - a pooled database names its pool, or it leaves it: a copy or restore into a pool gives
 *     the pool and no service objective (CannotSpecifyEditionOrSloWhenRestoringToPool);
 *   - a point-in-time restore may name any service tier or compute size ("Restore a database
 *     from a backup": for a replacement, the original's compute size and tier), except across
 *     Hyperscale (RestoreHyperscaleToNonHyperscale);
 *   - max size is set by an update after the copy, once the data is known to fit.
 */
export interface Placement {
  /** The elastic pool (resource id), for a pooled database. */
  elasticPoolId?: string;
  /** The compute size of a single database, as a request names it. */
  sku?: Sku;
  /** The service objective the database must report (currentServiceObjectiveName), e.g. S1 or GP_Gen5_2. */
  objective?: string;
  maxSizeBytes?: number;
  /** Serverless settings of a serverless single database. */
  autoPauseDelay?: number;
  minCapacity?: number;
}

/** Service tiers by the prefix of a service objective or SKU name (the names Azure's capabilities API lists). */
const TIER_BY_NAME: [RegExp, string][] = [
  [/^Basic$/i, 'Basic'],
  [/^S\d+$/i, 'Standard'],
  [/^P\d+$/i, 'Premium'],
  [/^GP_/i, 'GeneralPurpose'],
  [/^BC_/i, 'BusinessCritical'],
  [/^HS_/i, 'Hyperscale'],
  [/^DW\d+c?$/i, 'DataWarehouse'],
];

export function tierOf(sku: Sku | undefined): string | undefined {
  if (!sku) return undefined;
  if (sku.tier) return sku.tier;
  return TIER_BY_NAME.find(([pattern]) => pattern.test(sku.name))?.[1];
}

const isServerless = (sku: Sku | undefined) => /^GP_S_/i.test(sku?.name ?? '');

/** DTU tiers: ARM reports their SKU by edition (Standard, capacity 50), a request names it by objective (S2). */
const DTU_TIERS = new Set(['basic', 'standard', 'premium']);

/**
 * The SKU a request gives to get `db`'s compute size: its service objective for a DTU
 * database (CreateDatabaseDefaultMode.json: S0), its vCore SKU name and capacity otherwise
 * (CreateVCoreDatabaseBySkuNameCapacity.json: BC_Gen4, 2).
 */
function requestSku(db: Database): Sku | undefined {
  if (!db.sku) return undefined;
  if (DTU_TIERS.has((db.sku.tier ?? '').toLowerCase()) && db.currentServiceObjectiveName) return { name: db.currentServiceObjectiveName };
  return {
    name: db.sku.name,
    ...(db.sku.tier ? { tier: db.sku.tier } : {}),
    ...(db.sku.family ? { family: db.sku.family } : {}),
    ...(db.sku.capacity ? { capacity: db.sku.capacity } : {}),
  };
}

/** How `db` runs now, as the placement a copy or a restore of it must reproduce. */
export function placementOf(db: Database): Placement {
  if (db.elasticPoolId) return { elasticPoolId: db.elasticPoolId, maxSizeBytes: db.maxSizeBytes };
  const sku = requestSku(db);
  return {
    sku,
    objective: db.currentServiceObjectiveName,
    maxSizeBytes: db.maxSizeBytes,
    ...(isServerless(sku) ? { autoPauseDelay: db.autoPauseDelay, minCapacity: db.minCapacity } : {}),
  };
}

/**
 * What a staging database for `live` must become: `live`'s own placement, except that the
 * catalog's serviceObjective, when given, sets the compute size of a single database. A pooled
 * target stays in its pool (the catalog's objective does not apply to it).
 */
export function stagingPlacement(live: Database, serviceObjective: string | undefined): Placement {
  const own = placementOf(live);
  if (own.elasticPoolId || !serviceObjective) return own;
  return { sku: { name: serviceObjective }, objective: serviceObjective, maxSizeBytes: own.maxSizeBytes };
}

function computeOf(placement: Placement): Partial<Database> {
  if (placement.elasticPoolId) return { elasticPoolId: placement.elasticPoolId };
  return {
    ...(placement.sku ? { sku: placement.sku } : {}),
    ...(placement.autoPauseDelay !== undefined ? { autoPauseDelay: placement.autoPauseDelay } : {}),
    ...(placement.minCapacity !== undefined ? { minCapacity: placement.minCapacity } : {}),
  };
}

export type CopyPlan = { body: Partial<Database>; scaleAfter: boolean; note: string } | { refused: string };

/**
 * The placement part of a copy's request: into the target's pool; at the wanted compute size
 * when it is in the source's tier; else in the source's tier (no sku: the copy keeps the
 * source's compute size), to be scaled to the wanted one once the copy is done.
 */
export function copyPlan(source: Database, wanted: Placement): CopyPlan {
  if (wanted.elasticPoolId)
    return {
      body: { elasticPoolId: wanted.elasticPoolId },
      scaleAfter: false,
      note: `copied into the target's elastic pool ${poolName(wanted.elasticPoolId)}`,
    };
  const from = tierOf(source.sku);
  const to = tierOf(wanted.sku);
  if (from === 'Hyperscale' && to !== 'Hyperscale')
    return {
      refused: `the source runs in Hyperscale and the target in ${to ?? wanted.objective ?? 'another tier'}: a copy of a Hyperscale database is a Hyperscale database, and Azure moves a database out of Hyperscale only by reverse migration of one that was migrated into it`,
    };
  if (from && to && from.toLowerCase() === to.toLowerCase())
    return { body: computeOf(wanted), scaleAfter: false, note: `copied at the target's compute size ${wanted.objective ?? wanted.sku?.name} (${to})` };
  return {
    body: {},
    scaleAfter: true,
    note: `copied in the source's service tier (${from ?? 'unknown'}: a copy changes compute size only within its tier), then scaled to the target's ${wanted.objective ?? wanted.sku?.name} (${to ?? 'tier unknown'})`,
  };
}

/** The placement part of a point-in-time restore (or a restore of a dropped database) that replaces a database placed as `wanted`. */
export function restoreBody(wanted: Placement): Partial<Database> {
  return { ...computeOf(wanted), ...(wanted.maxSizeBytes ? { maxSizeBytes: wanted.maxSizeBytes } : {}) };
}

/** The update that brings `db` to `wanted`, or undefined when it already runs as wanted. */
export function placementUpdate(db: Database, wanted: Placement): DatabaseUpdate | undefined {
  const update: DatabaseUpdate = {};
  if (wanted.elasticPoolId) {
    if (db.elasticPoolId?.toLowerCase() !== wanted.elasticPoolId.toLowerCase()) update.elasticPoolId = wanted.elasticPoolId;
  } else if (db.elasticPoolId || (wanted.objective && db.currentServiceObjectiveName?.toLowerCase() !== wanted.objective.toLowerCase())) {
    Object.assign(update, computeOf(wanted));
  } else {
    if (wanted.autoPauseDelay !== undefined && db.autoPauseDelay !== wanted.autoPauseDelay) update.autoPauseDelay = wanted.autoPauseDelay;
    if (wanted.minCapacity !== undefined && db.minCapacity !== wanted.minCapacity) update.minCapacity = wanted.minCapacity;
  }
  if (wanted.maxSizeBytes && db.maxSizeBytes !== wanted.maxSizeBytes) update.maxSizeBytes = wanted.maxSizeBytes;
  return Object.keys(update).length ? update : undefined;
}

export function describePlacement(p: Placement): string {
  const size = p.maxSizeBytes ? `, max size ${Math.round(p.maxSizeBytes / 1024 ** 3)} GiB` : '';
  return p.elasticPoolId ? `elastic pool ${poolName(p.elasticPoolId)}${size}` : `${p.objective ?? p.sku?.name ?? 'the default compute size'}${size}`;
}

function poolName(id: string): string {
  return id.split('/').pop() ?? id;
}
