// A replica shutting down tells its embedding sweep first: a run going ends after the document in hand instead
// of embedding the rest of its batch (up to EMBED_SWEEP_DOCUMENTS, each a provider call) into the few seconds
// of shutdown grace, past which the process is ended with the run unsettled. The documents left stay pending for
// the next run, on any replica. On PGlite, whose pgvector makes the sweep run.
import { randomBytes } from 'node:crypto';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES } from '../support/harness';
import { pendingEmbeddingOf, useHybridHarness } from '../support/hybrid-harness';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const DOCUMENTS = [
  {
    id: 'harbour',
    title: 'Harbour',
    body: 'Boats moor at the east pier and pay the mooring fee each morning.',
  },
  {
    id: 'lighthouse',
    title: 'Lighthouse',
    body: 'The keeper trims the lamp at dusk and logs passing ships.',
  },
  { id: 'ferry', title: 'Ferry', body: 'The ferry leaves for the island every hour from the west quay.' },
];

describe('stopping the embedding sweep while it runs', () => {
  const harness = useHybridHarness({ ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED });

  it('ends the run after the document in hand, leaves the rest pending, and starts no new run', async () => {
    const client = harness.as(`sweep-stop-${randomBytes(4).toString('hex')}`);
    const pending = async () => (await pendingEmbeddingOf(harness, client.tenant)).length;
    // Ingested while embeddings are down: stored, found by keywords, left for the sweep.
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of DOCUMENTS)
      expect(await client.ingest(document)).toMatchObject({ embedded: false });
    expect(await pending()).toBe(DOCUMENTS.length);

    // Back, but slow: each document's embedding takes 300 ms.
    harness.providers.openai.faults.clear();
    harness.providers.openai.faults.always({ kind: 'latency', ms: 300 }, { path: EMBEDDINGS });
    const before = harness.providers.requestCount(EMBEDDINGS);
    const run = harness.app.embeddingSweep.runOnce();
    await waitFor(
      () => (harness.providers.requestCount(EMBEDDINGS) > before ? true : undefined),
      10_000,
      'the first embedding of the run',
    );
    await harness.app.embeddingSweep.stop();
    expect(await run).toMatchObject({ embedded: 1, failed: false });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before + 1);
    expect(await pending()).toBe(DOCUMENTS.length - 1);
    // Stopped: no new run starts.
    expect(await harness.app.embeddingSweep.runOnce()).toEqual({ embedded: 0, skipped: 0, failed: false });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before + 1);
  });
});
