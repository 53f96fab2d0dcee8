import { DbmoveError } from '../../common/errors';
import type { Dialect } from '../../engines/dialect';
import type { DataSession } from '../../engines/port';
import { findColumn, findTable, IndexDefinition, SchemaDefinition, TableDefinition } from '../../engines/schema';

/**
 * SYNC brings copied data to the schema the target environment expects, the way F&O's
 * database synchronisation does after a refresh: what the target defines and the data lacks
 * is added; what cannot be reconciled without losing data fails the step, naming the table
 * and column, so the administrator can fix the customisation or the data and retry.
 *
 * Tables and columns present only in the copied data are kept (they are data); indexes
 * follow the target's definition exactly (they are derived and can be rebuilt).
 */
export type SyncAction =
  | { kind: 'create-table'; table: string; sql: string }
  | { kind: 'add-column'; table: string; column: string; sql: string }
  | { kind: 'create-index'; table: string; index: string; columns: string[]; unique: boolean; sql: string }
  | { kind: 'drop-index'; table: string; index: string; sql: string }
  | { kind: 'check-not-null'; table: string; column: string };

export interface Incompatibility {
  table: string;
  column?: string;
  problem: string;
  fix: string;
}

export interface SyncPlan {
  actions: SyncAction[];
  incompatibilities: Incompatibility[];
  /** Tables and columns of the copied data that the target does not define; left as they are. */
  kept: string[];
}

const sameIndex = (a: IndexDefinition, b: IndexDefinition) =>
  a.unique === b.unique && a.columns.length === b.columns.length && a.columns.every((c, i) => c.toLowerCase() === b.columns[i].toLowerCase());

const NON_CONSTANT_DEFAULT = /^\(?\s*(CURRENT_TIME|CURRENT_DATE|CURRENT_TIMESTAMP)\b|^\(.*\)$/i;

export function planSchemaSync(target: SchemaDefinition, copied: SchemaDefinition, dialect: Dialect): SyncPlan {
  const plan: SyncPlan = { actions: [], incompatibilities: [], kept: [] };
  for (const table of target.tables) {
    const existing = findTable(copied, table.name);
    if (!existing) {
      plan.actions.push({ kind: 'create-table', table: table.name, sql: dialect.createTable(table) });
      for (const index of table.indexes) plan.actions.push(createIndex(dialect, index));
      continue;
    }
    planColumns(table, existing, dialect, plan);
    planIndexes(table, existing, dialect, plan);
  }
  for (const table of copied.tables) {
    const defined = findTable(target, table.name);
    if (!defined) {
      plan.kept.push(table.name);
      continue;
    }
    for (const column of table.columns) if (!findColumn(defined, column.name)) plan.kept.push(`${table.name}.${column.name}`);
  }
  return plan;
}

function planColumns(target: TableDefinition, copied: TableDefinition, dialect: Dialect, plan: SyncPlan): void {
  for (const column of target.columns) {
    const existing = findColumn(copied, column.name);
    if (!existing) {
      if (column.primaryKey) {
        plan.incompatibilities.push({
          table: target.name,
          column: column.name,
          problem: 'the target defines it as part of the primary key, which cannot be added to existing data',
          fix: `rebuild ${target.name} in the source with this key, or remove the key from the target's customisation`,
        });
      } else if (column.notNull && (column.defaultValue === undefined || column.defaultValue === null)) {
        plan.incompatibilities.push({
          table: target.name,
          column: column.name,
          problem: 'the target defines it NOT NULL without a default, so the copied rows have no value for it',
          fix: `give ${target.name}.${column.name} a default in the target's definition, or make it nullable`,
        });
      } else if (dialect.name === 'sqlite' && column.defaultValue && NON_CONSTANT_DEFAULT.test(column.defaultValue.trim())) {
        plan.incompatibilities.push({
          table: target.name,
          column: column.name,
          problem: `its default ${column.defaultValue} is not a constant, which SQLite cannot add to an existing table`,
          fix: "use a constant default in the target's definition",
        });
      } else {
        plan.actions.push({ kind: 'add-column', table: target.name, column: column.name, sql: dialect.addColumn(copied.name, column) });
      }
      continue;
    }
    if (!dialect.compatibleTypes(existing.type, column.type)) {
      plan.incompatibilities.push({
        table: target.name,
        column: column.name,
        problem: `the target defines it as ${column.type || '(no type)'} but the copied data has ${existing.type || '(no type)'}`,
        fix: `align the type of ${target.name}.${column.name} between the source and the target (the application releases or customisations differ)`,
      });
    } else if (column.notNull && !existing.notNull) {
      plan.actions.push({ kind: 'check-not-null', table: copied.name, column: existing.name });
    }
  }
}

function planIndexes(target: TableDefinition, copied: TableDefinition, dialect: Dialect, plan: SyncPlan): void {
  for (const index of target.indexes) {
    const byName = copied.indexes.find((i) => i.name.toLowerCase() === index.name.toLowerCase());
    if (byName && sameIndex(byName, index)) continue;
    if (byName) plan.actions.push({ kind: 'drop-index', table: copied.name, index: byName.name, sql: dialect.dropIndex(byName) });
    plan.actions.push(createIndex(dialect, { ...index, table: copied.name }));
  }
  for (const index of copied.indexes) {
    if (!target.indexes.some((i) => i.name.toLowerCase() === index.name.toLowerCase())) {
      plan.actions.push({ kind: 'drop-index', table: copied.name, index: index.name, sql: dialect.dropIndex(index) });
    }
  }
}

function createIndex(dialect: Dialect, index: IndexDefinition): SyncAction {
  return { kind: 'create-index', table: index.table, index: index.name, columns: index.columns, unique: index.unique, sql: dialect.createIndex(index) };
}

/** One line per action, as SYNC logs it and `dbmove plan` prints it. */
export function describeSyncAction(action: SyncAction): string {
  return `${action.kind} ${action.table}${'column' in action ? `.${action.column}` : ''}${'index' in action ? ` ${action.index}` : ''}`;
}

export class SchemaIncompatibleError extends DbmoveError {
  constructor(
    readonly incompatibilities: Incompatibility[],
    environment: string,
  ) {
    const [first] = incompatibilities;
    const more =
      incompatibilities.length > 1
        ? ` (${incompatibilities.length - 1} more: ${incompatibilities
            .slice(1, 4)
            .map((i) => `${i.table}${i.column ? `.${i.column}` : ''}`)
            .join(', ')})`
        : '';
    super(
      'SchemaIncompatible',
      `The copied data does not fit ${environment}'s schema: table ${first.table}${first.column ? `, column ${first.column}` : ''}: ${first.problem}${more}. Fix: ${first.fix}; then retry SYNC, or roll back.`,
    );
  }
}

export interface SyncOutcome {
  applied: SyncAction[];
  kept: string[];
}

/** Applies a plan; a unique index the data violates or a NULL in a NOT NULL column fails with names. */
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
    } catch (err) {
      const message = (err as Error).message;
      if (action.kind === 'create-index' && /unique|duplicate/i.test(message)) {
        throw new SchemaIncompatibleError(
          [
            {
              table: action.table,
              column: action.columns.join(', '),
              problem: `the target's unique index ${action.index} cannot be built because the copied data has duplicate values (${message})`,
              fix: `remove the duplicates of ${action.table}.${action.columns.join(', ')} in the source, or drop the unique index from the target's customisation`,
            },
          ],
          environment,
        );
      }
      throw err;
    }
    applied.push(action);
  }
  return { applied, kept: plan.kept };
}
