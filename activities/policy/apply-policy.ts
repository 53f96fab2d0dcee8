import { DbmoveError } from '../../common/errors';
import type { DataSession } from '../../engines/port';
import { findColumn, findTable, SchemaDefinition } from '../../engines/schema';
import { conditionColumns, renderCondition } from './render-condition';
import { recVersionAssignment } from '../fo/recversion';
import { Condition, elementKind, MaskRule, Scalar, ScrubElement, ScrubPolicy } from './scrub-policy';

export interface ScrubTableResult {
  table: string;
  rows: number;
  durationMs: number;
  skipped?: string;
}

export interface ScrubElementResult {
  id: string;
  description: string;
  kind: 'whole-table' | 'row-level';
  rows: number;
  durationMs: number;
  tables: ScrubTableResult[];
}

/** Rows that the target's own post-configuration legitimately puts back, per element and table. */
export type Allowances = Record<string, Record<string, Condition | undefined> | undefined>;

export class PolicyError extends DbmoveError {
  constructor(element: ScrubElement, table: string, problem: string) {
    super('PolicyError', `Scrub policy element "${element.id}" (${element.description}): table ${table} ${problem}`);
  }
}

const MASK_PREFIX = 'masked-';

function maskExpression(session: DataSession, column: string, rule: MaskRule, params: unknown[]): string {
  const d = session.dialect;
  const col = d.quote(column);
  if (rule === 'null') return 'NULL';
  if (rule === 'empty') return "''";
  if (rule === 'hash') return `CASE WHEN ${col} IS NULL THEN NULL ELSE concat('${MASK_PREFIX}', ${d.hash(col)}) END`;
  if (rule === 'email') return `CASE WHEN ${col} IS NULL THEN NULL ELSE concat('${MASK_PREFIX}', substring(${d.hash(col)}, 1, 16), '@example.invalid') END`;
  params.push(rule.fixed);
  return d.param(params.length - 1);
}

/** The rows of `table` that still carry what `element` removes. Shared by SCRUB and VERIFY. */
function violation(session: DataSession, element: ScrubElement, params: unknown[]): string | undefined {
  const d = session.dialect;
  const where = 'where' in element && element.where ? renderCondition(d, element.where, params) : undefined;
  const differs = (column: string, value: Scalar | 'masked') => {
    const col = d.quote(column);
    if (value === 'masked') return `(${col} IS NOT NULL AND ${col} NOT LIKE '${MASK_PREFIX}%')`;
    if (value === null) return `(${col} IS NOT NULL)`;
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return `(${col} IS NULL OR ${col} <> ${d.param(params.length - 1)})`;
  };
  switch (element.action) {
    case 'clear':
      return undefined;
    case 'delete':
      return where;
    case 'update': {
      const changes = Object.entries(element.set).map(([c, v]) => differs(c, v));
      return [where, `(${changes.join(' OR ')})`].filter(Boolean).join(' AND ');
    }
    case 'mask': {
      const changes = Object.entries(element.columns).map(([c, rule]) =>
        rule === 'hash' || rule === 'email' ? differs(c, 'masked') : differs(c, rule === 'null' ? null : rule === 'empty' ? '' : rule.fixed),
      );
      return [where, `(${changes.join(' OR ')})`].filter(Boolean).join(' AND ');
    }
  }
}

function checkTable(schema: SchemaDefinition, policy: ScrubPolicy, element: ScrubElement, table: string): string | undefined {
  const def = findTable(schema, table);
  if (!def) {
    if (policy.missingTables === 'fail') throw new PolicyError(element, table, 'does not exist in this database');
    return 'table does not exist in this database';
  }
  const columns = [
    ...('where' in element ? conditionColumns(element.where) : []),
    ...(element.action === 'update' ? Object.keys(element.set) : []),
    ...(element.action === 'mask' ? Object.keys(element.columns) : []),
  ];
  for (const column of columns) {
    if (!findColumn(def, column)) throw new PolicyError(element, table, `has no column ${column}; correct the policy or the table`);
  }
  return undefined;
}

export interface ApplyOptions {
  /** Called between elements; fault injection and cancellation checks hook in here. */
  between?: (elementId: string) => Promise<void>;
  referencedByForeignKey?: (table: string) => Promise<boolean>;
}

export async function applyScrubPolicy(session: DataSession, policy: ScrubPolicy, options: ApplyOptions = {}): Promise<ScrubElementResult[]> {
  const schema = await session.introspect();
  const results: ScrubElementResult[] = [];
  for (const element of policy.elements) {
    const started = performance.now();
    const tables: ScrubTableResult[] = [];
    for (const table of element.tables) {
      const tableStarted = performance.now();
      const skipped = checkTable(schema, policy, element, table);
      if (skipped) {
        tables.push({ table, rows: 0, durationMs: 0, skipped });
        continue;
      }
      const name = findTable(schema, table)!.name;
      const d = session.dialect;
      // The table's triggers do not fire while SCRUB changes it (an audit trigger would copy what is removed).
      const triggers = d.suspendTriggers((schema.triggers ?? []).filter((t) => t.table.toLowerCase() === name.toLowerCase()));
      const rows = triggers.before.length
        ? await withoutTriggers(session, triggers, () => scrubTable(session, schema, element, name, options))
        : await scrubTable(session, schema, element, name, options);
      tables.push({ table: name, rows, durationMs: performance.now() - tableStarted });
    }
    results.push({
      id: element.id,
      description: element.description,
      kind: elementKind(element),
      rows: tables.reduce((n, t) => n + t.rows, 0),
      durationMs: performance.now() - started,
      tables,
    });
    await options.between?.(element.id);
  }
  return results;
}

async function withoutTriggers(
  session: DataSession,
  triggers: { before: string[]; after: string[]; transactional: boolean },
  change: () => Promise<number>,
): Promise<number> {
  const run = async () => {
    for (const sql of triggers.before) await session.execute(sql);
    try {
      return await change();
    } finally {
      for (const sql of triggers.after) await session.execute(sql);
    }
  };
  return triggers.transactional ? session.transaction(run) : run();
}

async function scrubTable(session: DataSession, schema: SchemaDefinition, element: ScrubElement, name: string, options: ApplyOptions): Promise<number> {
  let rows = 0;
  const d = session.dialect;
  if (element.action === 'clear') {
    const referenced = options.referencedByForeignKey ? await options.referencedByForeignKey(name) : false;
    for (const statement of d.clearTable(name, referenced)) rows += await runStatement(session, statement.sql, statement.params, statement.repeatUntilNoRows);
  } else if (element.action === 'delete') {
    const params: unknown[] = [];
    const where = violation(session, element, params)!;
    const statement = d.deleteWhere(name, where, params);
    rows = await runStatement(session, statement.sql, statement.params, statement.repeatUntilNoRows);
  } else {
    const params: unknown[] = [];
    const assignments =
      element.action === 'update'
        ? Object.entries(element.set).map(([c, v]) => {
            params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
            return `${d.quote(c)} = ${d.param(params.length - 1)}`;
          })
        : Object.entries(element.columns).map(([c, rule]) => `${d.quote(c)} = ${maskExpression(session, c, rule, params)}`);
    const where = violation(session, element, params);
    // F&O's optimistic concurrency: an updated row gets a new RECVERSION (fo/recversion.ts).
    rows = await session.execute(
      `UPDATE ${d.quote(name)} SET ${assignments.join(', ')}${recVersionAssignment(d, schema, name)}${where ? ` WHERE ${where}` : ''}`,
      params,
    );
  }
  return rows;
}

async function runStatement(session: DataSession, sql: string, params: unknown[], repeat?: boolean): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await session.execute(sql, params);
    total += changed;
    if (!repeat || changed === 0) return total;
  }
}

export interface Violation {
  element: string;
  description: string;
  table: string;
  rows: number;
}

/**
 * Counts what would be scrubbed (before SCRUB: `dbmove plan`) or what is left that should
 * not be (after: VERIFY). Rows matching an allowance are the target's own, put back by
 * POSTCONFIG, and do not count.
 */
export async function countScrubPolicy(session: DataSession, policy: ScrubPolicy, allowances: Allowances = {}): Promise<Violation[]> {
  const schema = await session.introspect();
  const found: Violation[] = [];
  for (const element of policy.elements) {
    for (const table of element.tables) {
      if (checkTable(schema, policy, element, table)) continue;
      const name = findTable(schema, table)!.name;
      const params: unknown[] = [];
      const base = violation(session, element, params);
      const allowed = allowances[element.id]?.[name] ?? allowances[element.id]?.[table];
      const where = [base, allowed ? `NOT ${renderCondition(session.dialect, allowed, params)}` : undefined].filter(Boolean).join(' AND ');
      const [row] = await session.query<{ n: number }>(session.dialect.count(name, where), params);
      found.push({ element: element.id, description: element.description, table: name, rows: Number(row.n) });
    }
  }
  return found;
}
