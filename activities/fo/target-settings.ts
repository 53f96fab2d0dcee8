import type { DataSession } from '../../engines/port';

/**
 * Reads of an F&O database's own settings: the kernel's SQLSYSTEMVARIABLES (PARM/VALUE
 * pairs; get-maintenancemode.sql), the Admin account, and the tenant (get-instancevalues.sql).
 * Every read tolerates a database without the table: a customised or trimmed database may
 * lack one, and the caller says so instead of failing.
 */
export const KERNEL = {
  table: 'SQLSYSTEMVARIABLES',
  /** Maintenance mode: 1 on, 0 off. */
  maintenanceMode: 'CONFIGURATIONMODE',
  systemTableVersion: 'SYSTABVERSION',
} as const;

export interface AdminAccount {
  networkAlias: string;
  name: string;
  networkDomain: string;
  identityProvider: string;
  sid: string;
  objectId: string;
  enable?: number;
}

async function tryQuery<T>(session: DataSession, sql: string, params: unknown[] = []): Promise<T[] | undefined> {
  try {
    return await session.query<T>(sql, params);
  } catch {
    return undefined;
  }
}

export async function readAdmin(session: DataSession): Promise<AdminAccount | undefined> {
  const d = session.dialect;
  const q = (n: string) => d.quote(n);
  const rows = await tryQuery<Record<string, unknown>>(
    session,
    `SELECT ${q('NETWORKALIAS')} AS networkAlias, ${q('NAME')} AS name, ${q('NETWORKDOMAIN')} AS networkDomain, ${q('IDENTITYPROVIDER')} AS identityProvider, ${q('SID')} AS sid, ${q('OBJECTID')} AS objectId, ${q('ENABLE')} AS enable FROM ${q('USERINFO')} WHERE ${d.equalsIgnoreCase(q('ID'), d.param(0))}`,
    ['Admin'],
  );
  const row = rows?.[0];
  if (!row) return undefined;
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return {
    networkAlias: text(row.networkAlias),
    name: text(row.name),
    networkDomain: text(row.networkDomain),
    identityProvider: text(row.identityProvider),
    sid: text(row.sid),
    objectId: text(row.objectId),
    enable: Number(row.enable),
  };
}

export async function readKernelSetting(session: DataSession, parm: string): Promise<number | undefined> {
  const d = session.dialect;
  const rows = await tryQuery<{ value: unknown }>(
    session,
    `SELECT ${d.quote('VALUE')} AS value FROM ${d.quote(KERNEL.table)} WHERE ${d.quote('PARM')} = ${d.param(0)}`,
    [parm],
  );
  return rows?.[0] === undefined ? undefined : Number(rows[0].value);
}

export interface TenantSettings {
  tenantId?: string;
  planId?: string;
  planCapability?: string;
}

export async function readTenant(session: DataSession): Promise<TenantSettings> {
  const d = session.dialect;
  const q = (n: string) => d.quote(n);
  const setting = await tryQuery<{ value: unknown }>(
    session,
    `SELECT ${q('VALUE')} AS value FROM ${q('SYSSERVICECONFIGURATIONSETTING')} WHERE ${q('NAME')} = ${d.param(0)}`,
    ['TENANTID'],
  );
  const plan = await tryQuery<{ planId: unknown; planCapability: unknown }>(
    session,
    `SELECT ${q('PLANID')} AS planId, ${q('PLANCAPABILITY')} AS planCapability FROM ${q('PROVISIONINGMESSAGETABLE')}`,
  );
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));
  return { tenantId: text(setting?.[0]?.value), planId: text(plan?.[0]?.planId), planCapability: text(plan?.[0]?.planCapability) };
}
