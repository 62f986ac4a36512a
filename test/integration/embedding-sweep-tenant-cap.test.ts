// One tenant's spend cap does not stop the embedding sweep for the others: a tenant whose embedding is refused
// for a reason of its own (BUDGET_EXCEEDED) is skipped for the rest of the run, and the run goes on with the
// other tenants' documents. A provider failure still ends the run (the next one retries). On PGlite, whose
// pgvector makes the sweep run.
import { randomBytes } from 'node:crypto';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES } from '../support/harness';
import { OPENAI_EMBEDDING_SPACE, pendingEmbeddingOf, useHybridHarness } from '../support/hybrid-harness';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const run = randomBytes(4).toString('hex');
const CAPPED = `sweep-capped-${run}`;
const FREE = `sweep-free-${run}`;
const OTHER = `sweep-other-${run}`;
// A dollar a token: any document's worst case is far above the capped tenant's cap.
const PRICES = { [OPENAI_EMBEDDING_SPACE]: { inputPerMillion: 1_000_000, outputPerMillion: 0 } };

const documentsOf = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    title: `Note ${i}`,
    body: `Pier ${i} holds the mooring ropes of boat ${i} in the ${prefix} harbour.`,
  }));

describe('the embedding sweep and a tenant over its spend cap', () => {
  const harness = useHybridHarness({
    ...FAST_RETRIES,
    ...CIRCUITS_STAY_CLOSED,
    MODEL_PRICES_JSON: JSON.stringify(PRICES),
    TENANT_POLICIES_JSON: JSON.stringify({
      tenants: { [CAPPED]: { limits: { monthlyCapUsd: 0.5 } } },
    }),
  });
  beforeEach(() => harness.providers.reset());

  const pendingOf = async (tenant: string) => (await pendingEmbeddingOf(harness, tenant)).length;

  it('skips the capped tenant for the rest of the run and embeds every other tenant’s backlog', async () => {
    const capped = harness.as(CAPPED);
    const free = harness.as(FREE);
    // Over its cap: stored, not embedded (BUDGET_EXCEEDED, no provider call).
    for (const document of documentsOf('capped', 2))
      expect(await capped.ingest(document)).toMatchObject({ embedded: false });
    // Ingested while embeddings are down.
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of documentsOf('free', 4))
      expect(await free.ingest(document)).toMatchObject({ embedded: false });
    harness.providers.openai.faults.clear();
    const before = harness.providers.requestCount(EMBEDDINGS);

    // Whichever tenant the run meets first, the cap refuses only the capped tenant's documents.
    const report = await harness.app.embeddingSweep.runOnce();
    expect(await pendingOf(FREE)).toBe(0);
    expect(report).toEqual({ embedded: 4, skipped: 2, failed: false });
    expect(await pendingOf(CAPPED)).toBe(2);
    // One provider request per free document; none for the capped tenant.
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before + 4);
  });

  it('still ends the run on a provider failure, leaving the rest for the next run', async () => {
    const other = harness.as(OTHER);
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of documentsOf('other', 3))
      expect(await other.ingest(document)).toMatchObject({ embedded: false });

    const report = await harness.app.embeddingSweep.runOnce();
    expect(report).toMatchObject({ embedded: 0, failed: true });
    expect(await pendingOf(OTHER)).toBe(3);
  });
});
