// Caches bounded by the memory they hold, measured as the heap retained after garbage collection while the
// subgraph answers real requests over HTTP: distinct searches with long passages, and distinct inline query
// strings (each one a parsed document Apollo remembers). Bounds are generous; the count-bounded caches these
// replace retained several times as much in the same runs.
import { SEARCH_RESULT } from '../support/operations';
import { heapAfterGc, runPool } from '../support/heap';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const MIB = 1024 * 1024;
/**
 * Requests in flight at once. The subgraph runs in this process, so its work and the clients' share one loop:
 * eight keep it busy while PostgreSQL answers some of them. What is measured is the heap retained after the
 * runs, once every request has ended and the garbage is collected, which does not depend on it.
 */
const CONCURRENCY = 8;
const WORDS = 'harbour tide ferry quay pier lock sluice dredge buoy beacon anchor mooring'.split(' ');

/** A passage of about 1,100 characters, different for each (document, chunk). */
function passage(doc: number, chunk: number): string {
  const words: string[] = [];
  for (let i = 0; words.join(' ').length < 1_100; i += 1) {
    words.push(`${WORDS[(doc * 5 + chunk * 3 + i) % WORDS.length]}`, `r${doc}x${chunk}x${i}`);
  }
  return `${words.join(' ')}.`;
}

describe('caches bounded by the memory they hold', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('800 distinct searches of long passages keep the search cache within SEARCH_CACHE_MAX_MB (it was bounded by count)', async () => {
    harness = await startHarness({ env: { SEARCH_CACHE_MAX_MB: '1' } });
    const tenant = harness.as('heap-search');
    for (let doc = 0; doc < 20; doc += 1) {
      const body = [0, 1, 2, 3].map((chunk) => passage(doc, chunk)).join('\n\n');
      await tenant.ingest({ id: `d${doc}`, title: `Harbour log ${doc}`, body });
    }
    const search = (i: number) => tenant.search({ query: `harbour tide q${i}`, limit: 10 });
    expect(await search(-1)).toHaveProperty('hits.length', 10);
    await runPool(50, CONCURRENCY, async (i) => void (await search(-2 - i)));

    const before = heapAfterGc();
    await runPool(800, CONCURRENCY, async (i) => void (await search(i)));
    const grown = heapAfterGc() - before;
    // Each result holds about 14 KB: under the count bound of 5,000 all 800 stayed, 16 MB of heap.
    expect(grown).toBeLessThan(6 * MIB);
  }, 120_000);

  it('1,000 distinct inline query strings keep Apollo’s parsed documents within DOCUMENT_CACHE_MAX_MB', async () => {
    harness = await startHarness({ env: { DOCUMENT_CACHE_MAX_MB: '2' } });
    const tenant = harness.as('heap-documents');
    const inline = async (i: number) => {
      const query = `{ q${i}: search(input: { query: "ferry timetable" }) { ${SEARCH_RESULT} } }`;
      const response = await tenant.request(query);
      expect(response.body.errors).toBeUndefined();
    };
    await runPool(100, CONCURRENCY, (i) => inline(10_000 + i));

    const before = heapAfterGc();
    await runPool(1_000, CONCURRENCY, inline);
    const grown = heapAfterGc() - before;
    // A parsed document of this shape holds about 24 KB (its tokens and AST), while Apollo's default store
    // counted it as its 6 KB of JSON under a 30 MiB bound: all 1,000 stayed, 24 MB of heap.
    expect(grown).toBeLessThan(12 * MIB);
  }, 180_000);
});
