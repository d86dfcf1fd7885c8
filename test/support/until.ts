/** Polls `get` until `ok` holds; on timeout the error shows the last value and what `context` says. */
export async function until<T>(
  what: string,
  get: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  options: { everyMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await get();
      if (ok(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 3000)} ${String(lastError ?? '')}${options.context ? `\n${options.context()}` : ''}`);
}
