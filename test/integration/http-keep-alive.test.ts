// Found by the full suite on a loaded machine: requests sent right after a long pause of the client's thread
// (a full GC there) on keep-alive connections it had kept failed with ECONNRESET. The server closed those
// connections at Node's default 5 s keep-alive timeout in the same instant the client reused them. A router
// or load balancer keeps idle connections longer than that (Apollo Router 5 s, AWS ALB 60 s), so the server
// must keep them longer still: HTTP_KEEP_ALIVE_TIMEOUT_MS, default 65 s.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

jest.setTimeout(60_000);

/** Holds this thread, as a long GC or a busy router process would, timers included. */
function holdThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let harness: Harness;
afterEach(() => harness?.stop());

it('connections kept alive across a 6 s pause of the client are still open: no ECONNRESET (it was 5 s)', async () => {
  harness = await startHarness();
  const tenant = harness.as('keep-alive-co');
  const search = () => tenant.search({ query: 'harbour tide', limit: 3 });
  // Four connections in the client's pool, then idle.
  await Promise.all([search(), search(), search(), search()]);
  holdThread(6_000);
  // Sent before any timer of this thread runs again, on the pooled connections.
  const results = await Promise.allSettled([search(), search(), search(), search()]);
  expect(results.map((result) => result.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'fulfilled',
  ]);
});

it('HTTP_KEEP_ALIVE_TIMEOUT_MS sets how long the server keeps an idle connection', async () => {
  harness = await startHarness({ env: { HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' } });
  const response = await fetch(harness.url.replace(/\/graphql$/, '/healthz'));
  expect(response.headers.get('keep-alive')).toBe('timeout=1');
  await response.arrayBuffer();
});
