/**
 * SQL Server often answers one failed statement with two messages: the cause, then a summary
 * (5030 "The database could not be exclusively locked", then 5069 "ALTER DATABASE statement
 * failed"; 3201 "Cannot open backup device", then 3013 "BACKUP DATABASE is terminating
 * abnormally"). mssql raises the last one and keeps the others in `precedingErrors`, and a
 * T-SQL CATCH block sees only the last one too. This puts every message back into the error,
 * the cause first, so that no caller ever reports only the summary.
 */
interface DriverMessage {
  message?: string;
  number?: number;
}

export interface SqlServerError extends Error {
  /** The number of the first message: the cause. */
  number?: number;
  /** Every message of the statement, in the order the server sent them. */
  messages: DriverMessage[];
}

export function withEveryServerMessage(err: unknown): unknown {
  const e = err as (DriverMessage & { name?: string; precedingErrors?: DriverMessage[] }) | undefined;
  if (!e || typeof e !== 'object' || !Array.isArray(e.precedingErrors) || e.precedingErrors.length === 0) return err;
  const messages = [...e.precedingErrors, e];
  const error = new Error(messages.map((m) => `${m.message ?? 'no message'}${m.number ? ` (error ${m.number})` : ''}`).join(' ')) as SqlServerError;
  error.name = e.name ?? 'RequestError';
  error.number = messages[0].number;
  error.messages = messages.map((m) => ({ message: m.message, number: m.number }));
  return error;
}
