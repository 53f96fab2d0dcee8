import { DbmoveError } from '../common/errors';
/**
 * Every name that reaches a database or a Temporal id passes one of these patterns. Engines
 * still quote identifiers and bind values, but a strict shape up front turns an injection
 * attempt into a plain "bad name" error before anything is touched.
 */

export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/;
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const DATABASE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** Lowercase words and dashes; a run started by a Temporal Schedule also carries the nominal time Temporal appends. */
export const OPERATION_ID = /^[a-z][a-z0-9-]{2,99}(-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?$/;

export function describePattern(pattern: RegExp): string {
  if (pattern === ENVIRONMENT_NAME) return 'lowercase letters, digits and "-", starting with a letter, at most 32 characters';
  if (pattern === SQL_IDENTIFIER) return 'letters, digits and "_", starting with a letter or "_", at most 128 characters';
  if (pattern === DATABASE_NAME) return 'letters, digits, "_" and "-", at most 128 characters';
  if (pattern === OPERATION_ID) return 'lowercase letters, digits and "-", 3 to 100 characters (schedules append their nominal time)';
  return pattern.source;
}

export class InvalidNameError extends DbmoveError {
  constructor(
    readonly kind: string,
    readonly value: string,
    pattern: RegExp,
  ) {
    super('InvalidName', `Invalid ${kind} ${JSON.stringify(truncate(value, 80))}: use ${describePattern(pattern)}.`);
  }
}

export function assertName(kind: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidNameError(kind, String(value), pattern);
  return value;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
