// Audit finding: a search's or ask's query embedding that fails after the provider billed its replies (a list
// one vector short, retried to RETRY_MAX_ATTEMPTS) settles the tenant's cap to what was billed, and the failure
// carries that cost; yet the lexical result served in its place reported 0, so the ledger, ai_cost_usd_total
// and AIMeta.costUsd missed it (and, without Redis, a restart re-read the cap's spend from the ledger and
// forgot it). Here the ledger must hold exactly what the cap settled, and the result and the metric report it.
import type { FeatureName } from '../../subgraph/features/meter-result';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import type { Meta } from '../support/results';
import { HARBOUR_RULES } from '../support/sample-documents';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import type { Spend } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const EMBEDDINGS = '/v1/embeddings';
const ATTEMPTS = 3;
const searchTenant = `query-embed-failed-search-${process.pid}`;
const askTenant = `query-embed-failed-ask-${process.pid}`;

const nanosOf = (usd: number): number => Math.round(usd * 1e9);
const costMetric = async (harness: Harness, feature: FeatureName): Promise<number> =>
  nanosOf((await harness.metrics()).value('ai_cost_usd_total', { feature }));

describe('A query embedding that fails after billed replies is charged to the cap but never reaches the ledger', () => {
  const { harness, spend, spentSince } = useSpendHarness({
    providers: ['openai'],
    store: 'pglite',
    env: {
      ...FAST_RETRIES,
      ...CIRCUITS_STAY_CLOSED,
      RETRY_MAX_ATTEMPTS: String(ATTEMPTS),
      // Each query is embedded afresh: a cached vector would cost nothing and hide the failure.
      EMBED_CACHE_TTL_MS: '0',
      CACHE_TTL_ANSWER_SECONDS: '0',
    },
    prices: { 'openai:text-embedding-3-small': { inputPerMillion: 20, outputPerMillion: 0 } },
    routes: { tasks: { embed: { chain: [{ provider: 'openai', model: 'text-embedding-3-small' }] } } },
    cappedTenants: [searchTenant, askTenant],
  });

  /**
   * Ingests (its embeddings answered), then has every embedding come back one vector short, and runs `request`:
   * the spend since, and how often the query was embedded.
   */
  async function withShortEmbeddings(
    tenant: string,
    request: () => Promise<Meta>,
  ): Promise<{ spent: Spend; meta: Meta; embeds: number }> {
    harness.providers.reset();
    expect((await harness.as(tenant).ingest(HARBOUR_RULES)).chunks).toBeGreaterThan(0);
    const before = await spend(tenant);
    expect(before.ledger).toBe(before.settled);
    const ingestEmbeds = harness.providers.openai.requestCount(EMBEDDINGS);
    harness.providers.openai.faults.always({ kind: 'short-list', drop: 1 }, { path: EMBEDDINGS });
    const meta = await request();
    const embeds = harness.providers.openai.requestCount(EMBEDDINGS) - ingestEmbeds;
    return { spent: await spentSince(tenant, before), meta, embeds };
  }

  it('search: the lexical result reports the billed replies, and the ledger keeps what the cap settled', async () => {
    const metricBefore = await costMetric(harness, 'search');
    const { spent, meta, embeds } = await withShortEmbeddings(searchTenant, async () => {
      const result = await harness.as(searchTenant).search('who collects the mooring fee');
      const degraded = member(result, 'DegradedSearchResults');
      expect(degraded.reason).toBe('PROVIDER_ERROR');
      expect(degraded.hits.length).toBeGreaterThan(0);
      return degraded.meta;
    });
    // Every attempt came back short, each one billed.
    expect(embeds).toBe(ATTEMPTS);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    expect(meta.costUsd).toBeGreaterThan(0);
    expect(nanosOf(meta.costUsd)).toBe(spent.settled);
    expect((await costMetric(harness, 'search')) - metricBefore).toBe(spent.settled);
  });

  it('ask: the answer’s cost includes the billed replies of its question’s failed embedding', async () => {
    const metricBefore = await costMetric(harness, 'ask');
    const { spent, meta, embeds } = await withShortEmbeddings(askTenant, async () => {
      const result = await harness.as(askTenant).ask('Who collects the mooring fee?');
      // Grounded on the lexical ranking alone, the answer is still the model's.
      return member(result, 'Answer').meta;
    });
    expect(embeds).toBe(ATTEMPTS);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    expect(meta.costUsd).toBeGreaterThan(0);
    expect(nanosOf(meta.costUsd)).toBe(spent.settled);
    expect((await costMetric(harness, 'ask')) - metricBefore).toBe(spent.settled);
  });
});
