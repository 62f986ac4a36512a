// Polling for a condition the test cannot await directly (a provider seeing its connection close, a socket
// closing): one helper, so every suite times out the same way and says what it waited for.
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 10;

/** Polls `read` until it returns a value, which it resolves with; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  read: () => T | undefined,
  timeoutMs: number,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** Polls `condition` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  await waitFor(() => (condition() ? true : undefined), timeoutMs, what);
}

/** Polls `read` (asynchronous: a query, a scrape) until it returns a value; throws naming `what` after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}
