import type { Dialect } from '../../engines/dialect';
import type { Condition, Scalar } from './scrub-policy';

/**
 * Renders a structured condition to SQL for one dialect. Column names are quoted by the
 * dialect (which refuses anything outside the strict identifier pattern); every value
 * becomes a bound parameter appended to `params`.
 */
export function renderCondition(dialect: Dialect, condition: Condition, params: unknown[]): string {
  const bind = (value: Scalar) => {
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return dialect.param(params.length - 1);
  };
  if ('all' in condition) return `(${condition.all.map((c) => renderCondition(dialect, c, params)).join(' AND ')})`;
  if ('any' in condition) return `(${condition.any.map((c) => renderCondition(dialect, c, params)).join(' OR ')})`;
  if ('not' in condition) return `(NOT ${renderCondition(dialect, condition.not, params)})`;
  const column = dialect.quote(condition.column);
  if ('equals' in condition) {
    if (condition.equals === null) return `(${column} IS NULL)`;
    return condition.ignoreCase ? `(${dialect.equalsIgnoreCase(column, bind(condition.equals))})` : `(${column} = ${bind(condition.equals)})`;
  }
  if ('notEquals' in condition) {
    if (condition.notEquals === null) return `(${column} IS NOT NULL)`;
    const equal = condition.ignoreCase ? dialect.equalsIgnoreCase(column, bind(condition.notEquals)) : `${column} = ${bind(condition.notEquals)}`;
    return `(${column} IS NULL OR NOT (${equal}))`;
  }
  if ('in' in condition) return `(${column} IN (${condition.in.map(bind).join(', ')}))`;
  if ('notIn' in condition) return `(${column} IS NULL OR ${column} NOT IN (${condition.notIn.map(bind).join(', ')}))`;
  if ('like' in condition) return `(${column} LIKE ${bind(condition.like)})`;
  return condition.isNull ? `(${column} IS NULL)` : `(${column} IS NOT NULL)`;
}

/** Columns a condition reads, so a policy naming a missing column fails with its name. */
export function conditionColumns(condition: Condition | undefined): string[] {
  if (!condition) return [];
  if ('all' in condition) return condition.all.flatMap(conditionColumns);
  if ('any' in condition) return condition.any.flatMap(conditionColumns);
  if ('not' in condition) return conditionColumns(condition.not);
  return [condition.column];
}
