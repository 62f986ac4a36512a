// Finding 3: ask runs the guard model beside retrieval. When retrieval failed (a database error) the request
// failed at once, and the guard model's call, which finished meanwhile and settled against the tenant's spend
// cap, never reached the ledger. Nor did it when the client left askStream while its question was retrieved:
// the stream was metered as abandoned with nothing received, its preparation's cost (the guard's verdict)
// forgotten. Here the ledger must hold exactly what the cap settled, once no reservation is outstanding.
import { setTimeout as sleep } from 'node:timers/promises';
import { untilFeatureRequests } from '../support/feature-requests';
import type { ChatRequest } from '../support/providers';
import { whileRetrievalFails } from '../support/retrieval-failure';
import { HARBOUR_RULES } from '../support/sample-documents';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import { waitFor } from '../support/wait-for';
import { bearerWsClient } from '../support/ws-client';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const EMBEDDINGS = '/v1/embeddings';
const GUARD_MODEL = 'gpt-guard';
const ANSWER_MODEL = 'gpt-answer';
const PRICES = {
  [`openai:${GUARD_MODEL}`]: { inputPerMillion: 3, outputPerMillion: 7 },
  [`openai:${ANSWER_MODEL}`]: { inputPerMillion: 2, outputPerMillion: 5 },
};
const ROUTES = {
  tasks: {
    guard: { chain: [{ provider: 'openai', model: GUARD_MODEL }] },
    answer: { chain: [{ provider: 'openai', model: ANSWER_MODEL }] },
  },
};
const QUESTION = 'Who collects the mooring fee?';
const isGuard = (request: ChatRequest) => (request.system ?? '').includes('safety classifier');

describe('finding 3: the guard model’s cost when retrieval does not complete', () => {
  describe('ask whose retrieval fails with a database error', () => {
    const tenant = `guard-db-error-${process.pid}`;
    const { harness, spend, spentSince } = useSpendHarness({
      providers: ['openai'],
      // The guard answers after retrieval has failed: Promise.all had rejected by then.
      responder: async (request) => {
        if (!isGuard(request)) return 'The harbour master collects it [1].';
        await sleep(400);
        return 'safe';
      },
      env: { CACHE_TTL_ANSWER_SECONDS: '0' },
      prices: PRICES,
      routes: ROUTES,
      cappedTenants: [tenant],
    });

    it('records the guard model’s cost though the request failed', async () => {
      const client = harness.as(tenant);
      expect((await client.ingest(HARBOUR_RULES)).chunks).toBeGreaterThan(0);
      const before = await spend(tenant);
      expect(before.ledger).toBe(before.settled);
      harness.providers.reset();
      await whileRetrievalFails(harness, async () => {
        const response = await client.request(
          `query { ask(input: { question: "${QUESTION}" }) { __typename } }`,
        );
        expect(response.body.errors?.length).toBeGreaterThan(0);
        const guard = await waitFor(
          () => harness.providers.openai.requests.find((request) => request.path === CHAT),
          5_000,
          'the guard model’s request',
        );
        await waitFor(() => guard.closedAt, 5_000, 'the guard model answered');
        expect(guard.aborted).toBeFalsy();
      });
      // No answer was asked for: the guard's verdict is all the request paid for.
      expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
      const spent = await spentSince(tenant, before);
      expect(spent.settled).toBeGreaterThan(0);
      expect(spent.ledger).toBe(spent.settled);
    });
  });

  describe('askStream left while its question is embedded, after the guard answered (PGlite)', () => {
    const tenant = `guard-left-${process.pid}`;
    const { harness, spend, spentSince } = useSpendHarness({
      store: 'pglite',
      providers: ['openai'],
      responder: (request) => (isGuard(request) ? 'safe' : 'The harbour master collects it [1].'),
      env: {
        DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        EMBED_SWEEP_INTERVAL_MS: '0',
        CACHE_TTL_ANSWER_SECONDS: '0',
      },
      prices: PRICES,
      routes: ROUTES,
      cappedTenants: [tenant],
    });

    it('records the guard model’s cost with the abandoned stream', async () => {
      const client = harness.as(tenant);
      expect((await client.ingest(HARBOUR_RULES)).chunks).toBeGreaterThan(0);
      const before = await spend(tenant);
      expect(before.ledger).toBe(before.settled);
      harness.providers.reset();
      const { openai } = harness.providers;
      openai.faults.always({ kind: 'latency', ms: 20_000 }, { path: EMBEDDINGS });
      const ws = bearerWsClient(harness.wsUrl, await client.token());
      try {
        const unsubscribe = ws.subscribe(
          { query: `subscription { askStream(input: { question: "${QUESTION}" }) { __typename } }` },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
        const guard = await waitFor(
          () => openai.requests.find((request) => request.path === CHAT),
          10_000,
          'the guard model’s request',
        );
        await waitFor(() => guard.closedAt, 5_000, 'the guard model answered');
        const embedding = await waitFor(
          () => openai.requests.find((request) => request.path === EMBEDDINGS),
          10_000,
          'the question’s embedding',
        );
        unsubscribe();
        await waitFor(() => embedding.closedAt, 5_000, 'the embedding request closed');
        await untilFeatureRequests(harness, 'ask', 'abandoned', 1, 'the stream metered as abandoned');
      } finally {
        await ws.dispose();
      }
      // No answer was asked for.
      expect(openai.requestCount(CHAT)).toBe(1);
      const spent = await spentSince(tenant, before);
      expect(spent.settled).toBeGreaterThan(0);
      expect(spent.ledger).toBe(spent.settled);
    });
  });
});
