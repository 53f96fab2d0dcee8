import type { DataSession } from '../engines/port';

/**
 * Facts an environment's own database states about itself, kept in F&O's
 * SQLSYSTEMVARIABLES (PARM, VALUE) table: the versions of the code deployed on it, and the
 * identity that dbmove stamps (name, type, and the operation that produced the data).
 * PRECHECK reads versions from here rather than from the catalog, and SWAP re-reads the
 * identity, so neither a stale catalog nor an edit mid-operation can mislead them.
 */
export const SYSTEM_VARIABLES = 'SQLSYSTEMVARIABLES';

export const FACT = {
  applicationRelease: 'APPLICATIONRELEASE',
  platformUpdate: 'PLATFORMUPDATE',
  financialReporting: 'MRAPPLICATIONSERVICE',
  environmentName: 'DBMOVEENVIRONMENT',
  environmentType: 'DBMOVEENVIRONMENTTYPE',
  lastOperation: 'DBMOVEOPERATION',
} as const;

export interface EnvironmentFacts {
  applicationRelease?: string;
  platformUpdate?: number;
  financialReporting?: string;
  environmentName?: string;
  environmentType?: string;
  lastOperation?: string;
}

export async function readEnvironmentFacts(session: DataSession): Promise<EnvironmentFacts> {
  const q = session.dialect.quote.bind(session.dialect);
  let rows: { PARM: string; VALUE: string | number | null }[];
  try {
    rows = await session.query(`SELECT ${q('PARM')} AS PARM, ${q('VALUE')} AS VALUE FROM ${q(SYSTEM_VARIABLES)}`);
  } catch {
    return {};
  }
  const value = (parm: string) => {
    const row = rows.find((r) => String(r.PARM).toUpperCase() === parm);
    return row?.VALUE === null || row?.VALUE === undefined ? undefined : String(row.VALUE);
  };
  const pu = value(FACT.platformUpdate);
  return {
    applicationRelease: value(FACT.applicationRelease),
    platformUpdate: pu !== undefined && /^\d+$/.test(pu) ? Number(pu) : undefined,
    financialReporting: value(FACT.financialReporting),
    environmentName: value(FACT.environmentName),
    environmentType: value(FACT.environmentType),
    lastOperation: value(FACT.lastOperation),
  };
}

/** Upserts SQLSYSTEMVARIABLES rows; used by POSTCONFIG on staging and by the demo. */
export async function writeEnvironmentFacts(session: DataSession, facts: Record<string, string | number>): Promise<number> {
  const q = session.dialect.quote.bind(session.dialect);
  let changed = 0;
  for (const [parm, value] of Object.entries(facts)) {
    const p0 = session.dialect.param(0);
    const p1 = session.dialect.param(1);
    const updated = await session.execute(`UPDATE ${q(SYSTEM_VARIABLES)} SET ${q('VALUE')} = ${p0} WHERE ${q('PARM')} = ${p1}`, [String(value), parm]);
    if (updated === 0) {
      await session.execute(`INSERT INTO ${q(SYSTEM_VARIABLES)} (${q('PARM')}, ${q('VALUE')}) VALUES (${p0}, ${p1})`, [parm, String(value)]);
    }
    changed += 1;
  }
  return changed;
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
