import { DbmoveError } from '../../common/errors';
import type { Dialect } from '../../engines/dialect';
import type { DataSession } from '../../engines/port';
import {
  findColumn,
  findTable,
  indexKeys,
  type ColumnDefinition,
  type IndexDefinition,
  type IndexKey,
  type SchemaDefinition,
  type TableDefinition,
  type TriggerDefinition,
  type UniqueConstraintDefinition,
  type ViewDefinition,
  UNIQUE_INDEX_PREFIX,
  uniqueIndexName,
} from '../../engines/schema';
import { normalizeSql } from '../../engines/sql-text';

/**
 * SYNC brings copied data to the schema the target environment expects, the way F&O's
 * database synchronisation does after a refresh: what the target defines and the data lacks
 * is added; what cannot be reconciled without losing data fails the step, naming the table
 * and the object, so the administrator can fix the customisation or the data and retry.
 *
 * Tables and columns present only in the copied data are kept (they are data). Everything
 * derived from data or written as code follows the target's definition exactly: indexes
 * (expression, partial and filtered ones included), UNIQUE constraints, generated columns,
 * views and triggers are created when the target defines them, dropped when only the source
 * did, and rebuilt when the two differ. A collation cannot change under existing data on
 * SQLite, a table constraint cannot be dropped there without rebuilding the table, and text
 * written for one SQL family (an expression, a filter, a view's query) cannot be run by the
 * other: those fail the step naming the object, before anything is changed.
 */
export type SyncAction =
  | { kind: 'create-table'; table: string; sql: string }
  | { kind: 'add-column'; table: string; column: string; sql: string }
  | { kind: 'drop-column'; table: string; column: string; sql: string }
  | { kind: 'alter-column'; table: string; column: string; sql: string }
  | { kind: 'create-index'; table: string; index: string; columns: string[]; unique: boolean; sql: string }
  | { kind: 'drop-index'; table: string; index: string; sql: string }
  | { kind: 'add-unique'; table: string; constraint: string; columns: string[]; sql: string }
  | { kind: 'drop-unique'; table: string; constraint: string; sql: string }
  | { kind: 'create-view'; view: string; sql: string }
  | { kind: 'drop-view'; view: string; sql: string }
  | { kind: 'create-trigger'; table: string; trigger: string; sql: string }
  | { kind: 'drop-trigger'; table: string; trigger: string; sql: string }
  | { kind: 'check-not-null'; table: string; column: string };

export interface Incompatibility {
  table?: string;
  column?: string;
  /** The object SYNC cannot carry: "index I_X", "view V", "UNIQUE (A, B)". */
  object?: string;
  problem: string;
  fix: string;
}

export interface SyncPlan {
  actions: SyncAction[];
  incompatibilities: Incompatibility[];
  /** Tables and columns of the copied data that the target does not define; left as they are. */
  kept: string[];
}

/** The order actions run in: what depends on an object goes before it is dropped, and after it is created. */
const PHASE: Record<SyncAction['kind'], number> = {
  'drop-trigger': 0,
  'drop-view': 1,
  'drop-index': 2,
  'drop-unique': 2,
  'drop-column': 3,
  'create-table': 4,
  'add-column': 5,
  'alter-column': 5,
  'check-not-null': 6,
  'create-index': 7,
  'add-unique': 7,
  'create-view': 8,
  'create-trigger': 9,
};

const NON_CONSTANT_DEFAULT = /^\(?\s*(CURRENT_TIME|CURRENT_DATE|CURRENT_TIMESTAMP)\b|^\(.*\)$/i;

const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => lower(x) === lower(b[i]));
const uniqueLabel = (columns: readonly string[]) => `UNIQUE (${columns.join(', ')})`;

class Planner {
  readonly plan: SyncPlan = { actions: [], incompatibilities: [], kept: [] };
  /** Text written for the target's SQL family runs here only if it is the staging database's too. */
  readonly sameDialect: boolean;

  constructor(
    readonly target: SchemaDefinition,
    readonly copied: SchemaDefinition,
    readonly dialect: Dialect,
  ) {
    this.sameDialect = (target.dialect ?? dialect.name) === dialect.name;
  }

  add(action: SyncAction): void {
    this.plan.actions.push(action);
  }

  refuse(incompatibility: Incompatibility): void {
    this.plan.incompatibilities.push(incompatibility);
  }

  /** Runs `render` (a dialect method); a dialect that cannot express the object refuses it by name. */
  render(where: Omit<Incompatibility, 'problem' | 'fix'>, render: () => string): string | undefined {
    try {
      return render();
    } catch (err) {
      this.refuse({
        ...where,
        problem: `${(err as Error).message}`,
        fix: `define it in a form ${this.dialect.name === 'sqlite' ? 'SQLite' : 'SQL Server'} can hold, or drop it from the target's customisation`,
      });
      return undefined;
    }
  }

  /** Refuses text written for the other SQL family; true when it may be used here. */
  portable(where: Omit<Incompatibility, 'problem' | 'fix'>, what: string): boolean {
    if (this.sameDialect) return true;
    this.refuse({
      ...where,
      problem: `its ${what} is written for ${this.target.dialect === 'tsql' ? 'SQL Server' : 'SQLite'} and the copied data is in ${this.dialect.name === 'tsql' ? 'SQL Server' : 'SQLite'}`,
      fix: "give the target's schema definition in the staging database's own SQL, or remove the object from it",
    });
    return false;
  }
}

export function planSchemaSync(target: SchemaDefinition, copied: SchemaDefinition, dialect: Dialect): SyncPlan {
  const p = new Planner(target, copied, dialect);
  for (const table of target.tables) {
    const existing = findTable(copied, table.name);
    if (!existing) {
      planNewTable(p, table);
      continue;
    }
    planColumns(p, table, existing);
    planIndexes(p, table, existing);
    planUniqueConstraints(p, table, existing);
  }
  for (const table of copied.tables) {
    const defined = findTable(target, table.name);
    if (!defined) {
      p.plan.kept.push(table.name);
      continue;
    }
    for (const column of table.columns) if (!findColumn(defined, column.name)) p.plan.kept.push(`${table.name}.${column.name}`);
  }
  if (target.views) planViews(p, target.views, copied.views ?? []);
  if (target.triggers) planTriggers(p, target.triggers, copied.triggers ?? []);
  p.plan.actions.sort((a, b) => PHASE[a.kind] - PHASE[b.kind]);
  return p.plan;
}

function planNewTable(p: Planner, table: TableDefinition): void {
  if (table.columns.some((c) => c.generated) && !p.portable({ table: table.name }, 'generated column expression')) return;
  const sql = p.render({ table: table.name }, () => p.dialect.createTable(table));
  if (sql) p.add({ kind: 'create-table', table: table.name, sql });
  for (const index of table.indexes) createIndex(p, index, table.name);
  // A verbatim SQLite CREATE TABLE carries its UNIQUE clauses; a rendered one gets them added.
  if (!(p.sameDialect && p.dialect.name === 'sqlite' && table.createSql)) for (const unique of table.uniqueConstraints ?? []) addUnique(p, unique, table.name);
}

function planColumns(p: Planner, target: TableDefinition, copied: TableDefinition): void {
  const d = p.dialect;
  for (const column of target.columns) {
    const existing = findColumn(copied, column.name);
    const where = { table: target.name, column: column.name };
    if (!existing) {
      if (column.generated) {
        if (!p.portable(where, 'generated column expression')) continue;
      } else if (column.primaryKey) {
        p.refuse({
          ...where,
          problem: 'the target defines it as part of the primary key, which cannot be added to existing data',
          fix: `rebuild ${target.name} in the source with this key, or remove the key from the target's customisation`,
        });
        continue;
      } else if (column.notNull && (column.defaultValue === undefined || column.defaultValue === null)) {
        p.refuse({
          ...where,
          problem: 'the target defines it NOT NULL without a default, so the copied rows have no value for it',
          fix: `give ${target.name}.${column.name} a default in the target's definition, or make it nullable`,
        });
        continue;
      } else if (d.name === 'sqlite' && column.defaultValue && NON_CONSTANT_DEFAULT.test(column.defaultValue.trim())) {
        p.refuse({
          ...where,
          problem: `its default ${column.defaultValue} is not a constant, which SQLite cannot add to an existing table`,
          fix: "use a constant default in the target's definition",
        });
        continue;
      }
      const sql = p.render(where, () => d.addColumn(copied.name, column));
      if (sql) p.add({ kind: 'add-column', table: target.name, column: column.name, sql });
      continue;
    }
    if (Boolean(column.generated) !== Boolean(existing.generated)) {
      p.refuse({
        ...where,
        problem: column.generated
          ? `the target computes it (${column.generated.expression}) but the copied data stores values in it`
          : `the target stores values in it but the copied data computes it (${existing.generated!.expression})`,
        fix: `align ${target.name}.${column.name} between the source and the target's customisation`,
      });
      continue;
    }
    if (column.generated && existing.generated && !sameGenerated(column, existing)) {
      // Computed values are derived: recompute them under the target's definition.
      if (!p.portable(where, 'generated column expression')) continue;
      const drop = p.render(where, () => d.dropColumn(copied.name, existing.name));
      const add = p.render(where, () => d.addColumn(copied.name, column));
      if (drop && add) {
        p.add({ kind: 'drop-column', table: target.name, column: column.name, sql: drop });
        p.add({ kind: 'add-column', table: target.name, column: column.name, sql: add });
      }
      continue;
    }
    if (!d.compatibleTypes(existing.type, column.type)) {
      p.refuse({
        ...where,
        problem: `the target defines it as ${column.type || '(no type)'} but the copied data has ${existing.type || '(no type)'}`,
        fix: `align the type of ${target.name}.${column.name} between the source and the target (the application releases or customisations differ)`,
      });
      continue;
    }
    if (!sameCollation(d, column.collation, existing.collation)) {
      const sql = p.render(
        {
          ...where,
          object: `collation ${column.collation ?? d.defaultCollation ?? 'default'} (the copied data has ${existing.collation ?? d.defaultCollation ?? 'the default'})`,
        },
        () => d.alterColumnCollation(copied.name, { ...column, name: existing.name, type: existing.type, notNull: existing.notNull }),
      );
      if (sql) p.add({ kind: 'alter-column', table: target.name, column: column.name, sql });
      continue;
    }
    if (column.notNull && !existing.notNull) p.add({ kind: 'check-not-null', table: copied.name, column: existing.name });
  }
}

function sameGenerated(a: ColumnDefinition, b: ColumnDefinition): boolean {
  return a.generated!.stored === b.generated!.stored && normalizeSql(a.generated!.expression) === normalizeSql(b.generated!.expression);
}

function sameCollation(d: Dialect, a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (c: string | null | undefined) => lower(c ?? d.defaultCollation);
  return norm(a) === norm(b);
}

function sameKey(d: Dialect, a: IndexKey, b: IndexKey): boolean {
  if ((a.column === undefined) !== (b.column === undefined)) return false;
  if (a.column !== undefined ? lower(a.column) !== lower(b.column) : normalizeSql(a.expression ?? '') !== normalizeSql(b.expression ?? '')) return false;
  return Boolean(a.descending) === Boolean(b.descending) && sameCollation(d, a.collation, b.collation);
}

function sameIndex(p: Planner, a: IndexDefinition, b: IndexDefinition): boolean {
  // The same SQL family, both verbatim: the statements say everything (keys, order, collations, predicate).
  if (p.sameDialect && a.sql && b.sql) return normalizeSql(a.sql) === normalizeSql(b.sql);
  const keysA = indexKeys(a);
  const keysB = indexKeys(b);
  return (
    a.unique === b.unique &&
    keysA.length === keysB.length &&
    keysA.every((k, i) => sameKey(p.dialect, k, keysB[i])) &&
    normalizeSql(a.where ?? '') === normalizeSql(b.where ?? '') &&
    sameNames([...(a.include ?? [])].sort(), [...(b.include ?? [])].sort())
  );
}

function createIndex(p: Planner, index: IndexDefinition, table: string): void {
  const where = { table, object: `index ${index.name}` };
  const keys = indexKeys(index);
  if (keys.some((k) => k.expression !== undefined) && !p.portable(where, 'key expression')) return;
  if (index.where && !p.portable(where, 'filter')) return;
  // Verbatim text belongs to the SQL family it was read from: elsewhere the index is rendered from its parts.
  const definition = p.sameDialect ? { ...index, table } : { ...index, table, sql: null };
  const sql = p.render(where, () => p.dialect.createIndex(definition));
  if (sql) p.add({ kind: 'create-index', table, index: index.name, columns: index.columns, unique: index.unique, sql });
}

function planIndexes(p: Planner, target: TableDefinition, copied: TableDefinition): void {
  for (const index of target.indexes) {
    const byName = copied.indexes.find((i) => lower(i.name) === lower(index.name));
    if (byName && sameIndex(p, index, byName)) continue;
    if (byName) p.add({ kind: 'drop-index', table: copied.name, index: byName.name, sql: p.dialect.dropIndex(byName) });
    createIndex(p, index, copied.name);
  }
  for (const index of copied.indexes) {
    if (target.indexes.some((i) => lower(i.name) === lower(index.name))) continue;
    // The unique index that carries one of the target's UNIQUE constraints on SQLite stays.
    if (
      lower(index.name).startsWith(UNIQUE_INDEX_PREFIX) &&
      (target.uniqueConstraints ?? []).some((u) => lower(uniqueIndexName(copied.name, u.columns)) === lower(index.name))
    )
      continue;
    p.add({ kind: 'drop-index', table: copied.name, index: index.name, sql: p.dialect.dropIndex(index) });
  }
}

function addUnique(p: Planner, unique: UniqueConstraintDefinition, table: string): void {
  const sql = p.render({ table, object: uniqueLabel(unique.columns) }, () => p.dialect.addUniqueConstraint({ ...unique, table }));
  if (sql) p.add({ kind: 'add-unique', table, constraint: unique.name ?? uniqueLabel(unique.columns), columns: unique.columns, sql });
}

function planUniqueConstraints(p: Planner, target: TableDefinition, copied: TableDefinition): void {
  const targetUnique = target.uniqueConstraints ?? [];
  const copiedUnique = copied.uniqueConstraints ?? [];
  // On SQLite a constraint added by SYNC is carried by a unique index of a known name.
  const carriedByIndex = (u: UniqueConstraintDefinition) =>
    copied.indexes.some((i) => i.unique && lower(i.name) === lower(uniqueIndexName(copied.name, u.columns)) && sameNames(i.columns, u.columns));
  for (const unique of targetUnique) {
    if (copiedUnique.some((c) => sameNames(c.columns, unique.columns)) || carriedByIndex(unique)) continue;
    addUnique(p, unique, copied.name);
  }
  for (const unique of copiedUnique) {
    if (targetUnique.some((t) => sameNames(t.columns, unique.columns))) continue;
    const sql = p.render({ table: copied.name, object: uniqueLabel(unique.columns) }, () => p.dialect.dropUniqueConstraint(unique));
    if (sql) p.add({ kind: 'drop-unique', table: copied.name, constraint: unique.name ?? uniqueLabel(unique.columns), sql });
  }
}

function planViews(p: Planner, target: ViewDefinition[], copied: ViewDefinition[]): void {
  for (const view of copied) {
    const defined = target.find((v) => lower(v.name) === lower(view.name));
    if (!defined || !p.sameDialect || normalizeSql(defined.sql) !== normalizeSql(view.sql)) {
      const sql = p.render({ object: `view ${view.name}` }, () => p.dialect.dropView(view));
      if (sql) p.add({ kind: 'drop-view', view: view.name, sql });
    }
  }
  for (const view of target) {
    const existing = copied.find((v) => lower(v.name) === lower(view.name));
    if (existing && p.sameDialect && normalizeSql(existing.sql) === normalizeSql(view.sql)) continue;
    if (!p.portable({ object: `view ${view.name}` }, 'query')) continue;
    const sql = p.render({ object: `view ${view.name}` }, () => p.dialect.createView(view));
    if (sql) p.add({ kind: 'create-view', view: view.name, sql });
  }
}

function planTriggers(p: Planner, target: TriggerDefinition[], copied: TriggerDefinition[]): void {
  for (const trigger of copied) {
    const defined = target.find((t) => lower(t.name) === lower(trigger.name));
    if (!defined || !p.sameDialect || normalizeSql(defined.sql) !== normalizeSql(trigger.sql)) {
      const sql = p.render({ table: trigger.table, object: `trigger ${trigger.name}` }, () => p.dialect.dropTrigger(trigger));
      if (sql) p.add({ kind: 'drop-trigger', table: trigger.table, trigger: trigger.name, sql });
    }
  }
  for (const trigger of target) {
    const existing = copied.find((t) => lower(t.name) === lower(trigger.name));
    if (existing && p.sameDialect && normalizeSql(existing.sql) === normalizeSql(trigger.sql)) continue;
    if (!p.portable({ table: trigger.table, object: `trigger ${trigger.name}` }, 'body')) continue;
    const sql = p.render({ table: trigger.table, object: `trigger ${trigger.name}` }, () => p.dialect.createTrigger(trigger));
    if (sql) p.add({ kind: 'create-trigger', table: trigger.table, trigger: trigger.name, sql });
  }
}

/** One line per action, as SYNC logs it and `dbmove plan` prints it. */
export function describeSyncAction(action: SyncAction): string {
  switch (action.kind) {
    case 'create-view':
    case 'drop-view':
      return `${action.kind} ${action.view}`;
    case 'create-trigger':
    case 'drop-trigger':
      return `${action.kind} ${action.table} ${action.trigger}`;
    case 'add-unique':
    case 'drop-unique':
      return `${action.kind} ${action.table} ${action.constraint}`;
    case 'create-index':
    case 'drop-index':
      return `${action.kind} ${action.table} ${action.index}`;
    case 'create-table':
      return `${action.kind} ${action.table}`;
    default:
      return `${action.kind} ${action.table}.${action.column}`;
  }
}

/** SYNC's one-line summary: "1 table, 1 column and 1 index added, 0 indexes dropped", then any other kind of change. */
export function summarizeSync(applied: readonly SyncAction[]): string {
  const count = (kind: SyncAction['kind']) => applied.filter((a) => a.kind === kind).length;
  const words = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : noun.endsWith('x') ? 'es' : 's'}`;
  const others = (
    [
      ['add-unique', 'UNIQUE constraint', 'added'],
      ['drop-unique', 'UNIQUE constraint', 'dropped'],
      ['alter-column', 'collation', 'changed'],
      ['drop-column', 'generated column', 'recomputed'],
      ['create-view', 'view', 'created'],
      ['drop-view', 'view', 'dropped'],
      ['create-trigger', 'trigger', 'created'],
      ['drop-trigger', 'trigger', 'dropped'],
    ] as const
  )
    .filter(([kind]) => count(kind) > 0)
    .map(([kind, noun, verb]) => `${words(count(kind), noun)} ${verb}`);
  const base = `${words(count('create-table'), 'table')}, ${words(count('add-column') - count('drop-column'), 'column')} and ${words(count('create-index'), 'index')} added, ${words(count('drop-index'), 'index')} dropped`;
  return [base, ...others].join('; ');
}

/** Where an incompatibility is, in words: "table T, column C", "table T, index I", "view V". */
export function incompatibilityPlace(i: Incompatibility): string {
  return [i.table && `table ${i.table}`, i.column && `column ${i.column}`, i.object].filter(Boolean).join(', ');
}

export class SchemaIncompatibleError extends DbmoveError {
  constructor(
    readonly incompatibilities: Incompatibility[],
    environment: string,
  ) {
    const [first] = incompatibilities;
    const more =
      incompatibilities.length > 1 ? ` (${incompatibilities.length - 1} more: ${incompatibilities.slice(1, 4).map(incompatibilityPlace).join('; ')})` : '';
    super(
      'SchemaIncompatible',
      `The copied data does not fit ${environment}'s schema: ${incompatibilityPlace(first)}: ${first.problem}${more}. Fix: ${first.fix}; then retry SYNC, or roll back.`,
    );
  }
}

export interface SyncOutcome {
  applied: SyncAction[];
  kept: string[];
}

/** The object an action changes, for a failure's message. */
function actionPlace(action: SyncAction): Omit<Incompatibility, 'problem' | 'fix'> {
  switch (action.kind) {
    case 'create-view':
    case 'drop-view':
      return { object: `view ${action.view}` };
    case 'create-trigger':
    case 'drop-trigger':
      return { table: action.table, object: `trigger ${action.trigger}` };
    case 'add-unique':
    case 'drop-unique':
      return { table: action.table, object: action.constraint };
    case 'create-index':
    case 'drop-index':
      return { table: action.table, object: `index ${action.index}` };
    case 'create-table':
      return { table: action.table };
    default:
      return { table: action.table, column: action.column };
  }
}

/**
 * Applies a plan. Anything the database refuses fails the step with the object named: a
 * unique index or constraint the data violates, a NULL in a NOT NULL column, a stored
 * generated column SQLite will not add to a table with rows, a view over a column the data lacks.
 */
export async function applySchemaSync(session: DataSession, plan: SyncPlan, environment: string): Promise<SyncOutcome> {
  if (plan.incompatibilities.length) throw new SchemaIncompatibleError(plan.incompatibilities, environment);
  const d = session.dialect;
  const applied: SyncAction[] = [];
  for (const action of plan.actions) {
    if (action.kind === 'check-not-null') {
      const [row] = await session.query<{ n: number }>(d.count(action.table, `${d.quote(action.column)} IS NULL`));
      if (Number(row.n) > 0) {
        throw new SchemaIncompatibleError(
          [
            {
              table: action.table,
              column: action.column,
              problem: `the target defines it NOT NULL but ${row.n} copied rows have no value`,
              fix: `fill ${action.table}.${action.column} in the source, or make it nullable in the target`,
            },
          ],
          environment,
        );
      }
      continue;
    }
    try {
      await session.execute(action.sql);
      // SQLite accepts a view over columns that do not exist and fails only when it is read: read it now.
      if (action.kind === 'create-view') await session.query(`SELECT * FROM ${d.quote(action.view)} WHERE 1 = 0`);
    } catch (err) {
      const message = (err as Error).message;
      const place = actionPlace(action);
      // A view that cannot be read is not left behind for a retried SYNC to take as done.
      if (action.kind === 'create-view') await session.execute(d.dropView({ name: action.view, sql: '' })).catch(() => 0);
      if ((action.kind === 'create-index' || action.kind === 'add-unique') && /unique|duplicate/i.test(message)) {
        const name = action.kind === 'create-index' ? `unique index ${action.index}` : action.constraint;
        throw new SchemaIncompatibleError(
          [
            {
              ...place,
              column: action.columns.join(', '),
              problem: `the target's ${name} cannot be built because the copied data has duplicate values (${message})`,
              fix: `remove the duplicates of ${action.table}.${action.columns.join(', ')} in the source, or drop the constraint from the target's customisation`,
            },
          ],
          environment,
        );
      }
      throw new SchemaIncompatibleError(
        [
          {
            ...place,
            problem: `SYNC could not ${describeSyncAction(action)}: the database refused it (${message})`,
            fix: "change the target's customisation or the source data so that both hold this object",
          },
        ],
        environment,
      );
    }
    applied.push(action);
  }
  return { applied, kept: plan.kept };
}
