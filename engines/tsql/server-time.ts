/** Reading a SQL Server's clock through the driver, whichever form it returns the value in. */

/** SYSUTCDATETIME() as an ISO instant, whether the driver returns a Date or text. */
export function utcIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/.test(value)) {
    const text = value.replace(' ', 'T').slice(0, 23);
    return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${text}Z`).toISOString();
  }
  throw new Error(`The server returned no usable time for SYSUTCDATETIME() (${String(value)})`);
}

/**
 * A SYSDATETIME() value as the server's wall-clock text. tedious reads datetime2 as if it
 * were UTC, so the Date's ISO digits are the server's local digits.
 */
export function wallClock(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 23);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/.test(value)) return value.replace(' ', 'T').slice(0, 23);
  throw new Error(`The server returned no usable local time (${String(value)})`);
}
