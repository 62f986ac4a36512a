// Finding 3: ask runs the guard model beside retrieval. When retrieval failed (a database error) the request
// failed at once, and the guard model's call, which finished meanwhile and settled against the tenant's spend
// cap, never reached the ledger. Nor did it when the client left askStream while its question was retrieved:
// the stream was metered as abandoned with nothing received, its preparation's cost (the guard's verdict)
// forgotten. Here the ledger must hold exactly what the cap settled, once no reservation is outstanding.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import type { ChatRequest } from '../support/providers';
import { POSTGRES_URL, REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { eventually, waitFor } from '../support/wait-for';
import { spendOf, spentSince } from '../support/spend-ledger';

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
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour rules',
  body: 'Boats moor at the east pier. The harbour master collects the mooring fee every morning.',
};
const QUESTION = 'Who collects the mooring fee?';
const isGuard = (request: ChatRequest) => (request.system ?? '').includes('safety classifier');

describe('finding 3: the guard model’s cost when retrieval does not complete', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  });
  afterAll(() => redis?.disconnect());

  describe('ask whose retrieval fails with a database error', () => {
    const tenant = `guard-db-error-${process.pid}`;
    let harness: Harness;

    beforeAll(async () => {
      harness = await startHarness({
        providers: ['openai'],
        // The guard answers after retrieval has failed: Promise.all had rejected by then.
        responder: async (request) => {
          if (!isGuard(request)) return 'The harbour master collects it [1].';
          await sleep(400);
          return 'safe';
        },
        env: {
          REDIS_URL,
          CACHE_TTL_ANSWER_SECONDS: '0',
          MODEL_PRICES_JSON: JSON.stringify(PRICES),
          GATEWAY_ROUTES_JSON: JSON.stringify(ROUTES),
          TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [tenant]: { limits: { monthlyCapUsd: 10 } } } }),
        },
      });
    });
    afterAll(() => harness?.stop());

    it('records the guard model’s cost though the request failed', async () => {
      const client = harness.as(tenant);
      expect((await client.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
      const before = await spendOf(harness, redis, tenant);
      expect(before.ledger).toBe(before.settled);
      harness.providers.reset();
      // The lexical search reads the corpus statistics: without them it fails, as on a database error.
      const schema = harness.app.config.store.schema;
      const pg = new PgClient({ connectionString: POSTGRES_URL });
      await pg.connect();
      try {
        await pg.query(`ALTER TABLE ${schema}.corpus_stats RENAME TO corpus_stats_away`);
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
      } finally {
        await pg.query(`ALTER TABLE ${schema}.corpus_stats_away RENAME TO corpus_stats`);
        await pg.end();
      }
      // No answer was asked for: the guard's verdict is all the request paid for.
      expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
      const spent = await spentSince(harness, redis, tenant, before);
      expect(spent.settled).toBeGreaterThan(0);
      expect(spent.ledger).toBe(spent.settled);
    });
  });

  describe('askStream left while its question is embedded, after the guard answered (PGlite)', () => {
    const tenant = `guard-left-${process.pid}`;
    let harness: Harness;

    beforeAll(async () => {
      harness = await startHarness({
        store: 'pglite',
        providers: ['openai'],
        responder: (request) => (isGuard(request) ? 'safe' : 'The harbour master collects it [1].'),
        env: {
          REDIS_URL,
          DEADLINE_MS: '40000',
          ATTEMPT_TIMEOUT_MS: '30000',
          EMBED_SWEEP_INTERVAL_MS: '0',
          CACHE_TTL_ANSWER_SECONDS: '0',
          MODEL_PRICES_JSON: JSON.stringify(PRICES),
          GATEWAY_ROUTES_JSON: JSON.stringify(ROUTES),
          TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [tenant]: { limits: { monthlyCapUsd: 10 } } } }),
        },
      });
    });
    afterAll(() => harness?.stop());

    it('records the guard model’s cost with the abandoned stream', async () => {
      const client = harness.as(tenant);
      expect((await client.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
      const before = await spendOf(harness, redis, tenant);
      expect(before.ledger).toBe(before.settled);
      harness.providers.reset();
      const { openai } = harness.providers;
      openai.faults.always({ kind: 'latency', ms: 20_000 }, { path: EMBEDDINGS });
      const ws = createClient({
        url: harness.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${await client.token()}` },
      });
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
        await eventually(
          async () =>
            (await harness.metrics()).value('ai_feature_requests_total', {
              feature: 'ask',
              outcome: 'abandoned',
            }) === 1
              ? true
              : undefined,
          5_000,
          'the stream metered as abandoned',
        );
      } finally {
        await ws.dispose();
      }
      // No answer was asked for.
      expect(openai.requestCount(CHAT)).toBe(1);
      const spent = await spentSince(harness, redis, tenant, before);
      expect(spent.settled).toBeGreaterThan(0);
      expect(spent.ledger).toBe(spent.settled);
    });
  });
});
