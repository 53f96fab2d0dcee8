/**
 * The tests' one way to wait for something that is not an operation's phase (a schedule's first
 * run, a metrics endpoint, a page's text): probe until it answers, or fail naming what was last
 * seen. Operations are followed with client/follow.ts, as the command line follows them.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; what: string; lastSeen?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${options.what} did not happen within ${options.timeoutMs / 1000} s${options.lastSeen ? `; last seen: ${options.lastSeen()}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
