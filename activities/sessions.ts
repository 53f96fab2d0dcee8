import type { DataSession } from '../engines/port';

/** Opens a session, runs `fn`, and always closes it. */
export async function withSession<T>(open: Promise<DataSession>, fn: (session: DataSession) => Promise<T>): Promise<T> {
  const session = await open;
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
