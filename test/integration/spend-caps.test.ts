// A tenant's spend caps through GraphQL (issue 11), on the memory limiter (no Redis) and on Redis: each target
// attempt reserves its worst case first. A target whose worst case does not fit is skipped for the next,
// cheaper one; when none fits, summarize answers its floor (DegradedSummary BUDGET_EXCEEDED) without calling a
// model, and a stream likewise. A cache hit reserves nothing and is served past the cap. `usage` shows the cap.
// Prices are set (MODEL_PRICES_JSON) so that a call's worst case and real cost are known: input tokens only,
// which the fake provider counts as the subgraph estimates them, so a call settles at about its worst case.
// With Redis stopped mid-test the service answers as LIMITS_ON_REDIS_FAILURE says: closed -> the floor with
// LIMITS_UNAVAILABLE, open -> this process's own cap.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { ChatRequest } from '../support/providers';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
const EXPENSIVE = 'gpt-expensive';
const CHEAP = 'gpt-cheap';
// $1 per million input tokens: 1,000 nano-dollars a token. The expensive model costs a thousand times more.
const PRICES = {
  [`openai:${EXPENSIVE}`]: { inputPerMillion: 1_000, outputPerMillion: 0 },
  // Output nearly free: what a stream the client left costs is its prompt, a nano-dollar a token.
  [`openai:${CHEAP}`]: { inputPerMillion: 1, outputPerMillion: 0.01 },
  // A query of a few tokens: a few thousandths of a dollar, above NO_CALL_USD.
  'openai:text-embedding-3-small': { inputPerMillion: 1_000_000, outputPerMillion: 0 },
};
// About 4,000 characters: 1,000 input tokens, plus the prompt's own few hundred. A call on the cheap model
// costs between $0.001 and $0.0014; on the expensive one at least $1.
const FILLER = Array.from({ length: 50 }, () => SUMMARY_TEXT).join(' ');
const textNo = (i: number) => `${SUMMARY_TEXT} This is ledger note ${i}. ${FILLER}`;
/** Room for one cheap call, not two, and never for the expensive one. */
const ONE_CHEAP_CALL_USD = 0.0016;
/** Below a cheap call's worst case. */
const NO_CALL_USD = 0.0005;

/**
 * Outstanding reservations once the settles in flight have landed: a settle is sent before the answer, on
 * another connection than the test's, so the test polls rather than read once.
 */
async function outstandingOnceSettled(read: () => Promise<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const outstanding = await read();
    if (outstanding === 0) return 0;
    await sleep(25);
  }
  return read();
}

const run = randomBytes(4).toString('hex');
let n = 0;
const tenant = (name: string) => `caps-${name}-${run}-${(n += 1)}`;

describe.each([
  ['memory', {}],
  ['redis', { REDIS_URL }],
] as const)('spend caps through GraphQL: %s', (adapter, storeEnv) => {
  let harness: Harness;
  const models: string[] = [];
  const oneCall = [
    tenant('one'),
    tenant('one'),
    tenant('one-daily'),
    tenant('one-stream'),
    tenant('one-left'),
  ] as const;
  const none = [tenant('none'), tenant('none'), tenant('none')] as const;

  beforeAll(async () => {
    harness = await startHarness({
      // PGlite carries pgvector: ingest and search embed (the machine's PostgreSQL may lack it).
      store: 'pglite',
      providers: ['openai'],
      responder: (request: ChatRequest) => {
        models.push(request.model);
        return SUMMARY_TEXT;
      },
      env: {
        ...storeEnv,
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: {
            summarize: {
              chain: [
                { provider: 'openai', model: EXPENSIVE },
                { provider: 'openai', model: CHEAP },
              ],
            },
          },
        }),
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: {
            [oneCall[0]]: { limits: { monthlyCapUsd: ONE_CHEAP_CALL_USD } },
            [oneCall[1]]: { limits: { monthlyCapUsd: ONE_CHEAP_CALL_USD } },
            [oneCall[2]]: { limits: { monthlyCapUsd: 100, dailyCapUsd: ONE_CHEAP_CALL_USD } },
            [oneCall[3]]: { limits: { monthlyCapUsd: ONE_CHEAP_CALL_USD } },
            [oneCall[4]]: { limits: { monthlyCapUsd: ONE_CHEAP_CALL_USD } },
            [none[0]]: { limits: { monthlyCapUsd: NO_CALL_USD } },
            [none[1]]: { limits: { monthlyCapUsd: NO_CALL_USD } },
            [none[2]]: { limits: { monthlyCapUsd: NO_CALL_USD } },
          },
        }),
      },
    });
  });

  afterAll(() => harness?.stop());
  beforeEach(() => {
    harness.providers.reset();
    models.length = 0;
  });

  test.each([
    ['monthly', 0],
    ['daily', 2],
  ] as const)(
    '%s cap: the expensive target is skipped for the cheap one; once spent, the floor BUDGET_EXCEEDED; a cache hit still served',
    async (_cap, index) => {
      const client = harness.as(oneCall[index]);
      const first = member(await client.summarize({ text: textNo(1) }), 'Summary');
      expect(first.meta.model).toBe(CHEAP);
      expect(first.meta.costUsd).toBeGreaterThan(0.001);
      expect(models).toEqual([CHEAP]);
      const over = member(await client.summarize({ text: textNo(2) }), 'DegradedSummary');
      expect(over.reason).toBe('BUDGET_EXCEEDED');
      const cached = member(await client.summarize({ text: textNo(1) }), 'Summary');
      expect(cached.meta.cached).toBe(true);
      expect(harness.providers.requestCount(CHAT)).toBe(1);
      // Found by a review: usage showed no daily cap at all, so a tenant capped by the day read as uncapped.
      const usage = await client.usage();
      expect([usage.monthlyCapUsd, usage.dailyCapUsd]).toEqual(
        index === 0 ? [ONE_CHEAP_CALL_USD, null] : [100, ONE_CHEAP_CALL_USD],
      );
    },
  );

  test('a cap below every worst case: the floor BUDGET_EXCEEDED, no model called; usage shows the cap', async () => {
    const client = harness.as(none[0]);
    const floor = member(await client.summarize({ text: textNo(3) }), 'DegradedSummary');
    expect(floor.reason).toBe('BUDGET_EXCEEDED');
    expect(floor.text.length).toBeGreaterThan(0);
    expect(harness.providers.requestCount(CHAT)).toBe(0);
    const usage = await client.usage();
    expect(usage.monthlyCapUsd).toBe(NO_CALL_USD);
    expect(usage.spendUsdThisMonth).toBe(0);
  });

  test('summarizeStream over the cap completes with the floor BUDGET_EXCEEDED', async () => {
    const events = await harness.as(none[1]).summarizeStream({ text: textNo(4) });
    const last = events[events.length - 1];
    if (last?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
    expect(member(last.result, 'DegradedSummary').reason).toBe('BUDGET_EXCEEDED');
    expect(harness.providers.requestCount(CHAT)).toBe(0);
  });

  // Over the cap, the ingest's embedding is refused, so the tenant has no vectors: its search pays for no query
  // embedding either (nothing to compare it with) and says the semantic layer is what is missing.
  test('embeddings reserve too: over the cap, ingest and search call no embedding model, and search serves lexical hits', async () => {
    const client = harness.as(none[2]);
    await client.ingest({ id: 'ledger', title: 'Quokka ledger', body: FILLER });
    const results = member(await client.search('quokka crate'), 'DegradedSearchResults');
    expect(results.reason).toBe('SEMANTIC_UNAVAILABLE');
    expect(results.hits.length).toBeGreaterThan(0);
    expect(harness.providers.requestCount('/v1/embeddings')).toBe(0);
  });

  if (adapter === 'redis') {
    // Finding 1 (a stream the client leaves is never charged its prompt): OpenAI reports usage only at a stream's
    // end, so a stream left mid-answer settled only the output it had estimated, though the provider bills the
    // whole prompt it received; a hedge that lost its race was charged its prompt all along.
    test('a stream the client left settles what it had received, its prompt included, and releases the rest', async () => {
      const left = harness.as(oneCall[4]);
      const client = createClient({
        url: harness.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${await left.token()}` },
      });
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        harness.providers.openai.faults.always({ kind: 'slow-drip', delayMs: 1_000 });
        const events: string[] = [];
        const unsubscribe = client.subscribe<{ summarizeStream: { __typename: string } }>(
          {
            query: 'subscription ($input: SummarizeInput!) { summarizeStream(input: $input) { __typename } }',
            variables: { input: { text: textNo(8) } },
          },
          {
            next: (result) => events.push(result.data?.summarizeStream.__typename ?? 'error'),
            error: () => undefined,
            complete: () => undefined,
          },
        );
        await waitFor(() => (events.includes('SummaryDelta') ? true : undefined), 10_000, 'a first delta');
        const request = harness.providers.openai.requests.find((recorded) => recorded.path === CHAT);
        unsubscribe();
        await waitFor(() => request?.closedAt, 5_000, 'the provider request closed');
        const limiter = createRedisSpendLimiter(redis);
        expect(await outstandingOnceSettled(() => limiter.outstanding(oneCall[4]))).toBe(0);
        // The settle that emptied the reservations added the cost in the same script.
        const received = (await limiter.spent(oneCall[4])).monthNanos;
        expect(received).toBeGreaterThan(0);
        // Its whole prompt at $1 per million input tokens (output is all but free): the provider bills the
        // prompt it received, not only the few deltas streamed. Still below the call's worst case.
        const { messages } = request?.body as { messages: { content: string }[] };
        const promptTokens = Math.ceil(messages.map((message) => message.content).join('').length / 4);
        expect(promptTokens).toBeGreaterThan(1_000);
        expect(received).toBeGreaterThanOrEqual(promptTokens * PRICES[`openai:${CHEAP}`].inputPerMillion);
        expect(received).toBeLessThan(ONE_CHEAP_CALL_USD * 1e9);
        const usage = await left.usage();
        expect(usage.byFeature.find((line) => line.feature === 'abandoned-stream')?.costUsd).toBe(
          received / 1e9,
        );
      } finally {
        await client.dispose();
        redis.disconnect();
      }
    });

    test("Redis holds the tenant's settled spend, equal to the reported costs, and no reservation after the calls", async () => {
      const client = harness.as(oneCall[1]);
      const first = member(await client.summarize({ text: textNo(5) }), 'Summary');
      member(await client.summarize({ text: textNo(5) }), 'Summary');
      member(await client.summarize({ text: textNo(6) }), 'DegradedSummary');
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        const limiter = createRedisSpendLimiter(redis);
        expect(await outstandingOnceSettled(() => limiter.outstanding(oneCall[1]))).toBe(0);
        const { monthNanos } = await limiter.spent(oneCall[1]);
        expect(monthNanos / 1e9).toBe(first.meta.costUsd);
        expect(monthNanos).toBeLessThanOrEqual(ONE_CHEAP_CALL_USD * 1e9);

        // A stream reserves before and settles at its end, likewise.
        const events = await harness.as(oneCall[3]).summarizeStream({ text: textNo(7) });
        const last = events[events.length - 1];
        if (last?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
        const streamed = member(last.result, 'Summary');
        expect(streamed.meta.model).toBe(CHEAP);
        // The expensive target was skipped before any text: the client is told why, and nothing restarts.
        expect(events[0]).toEqual({
          __typename: 'StreamNotice',
          reason: 'BUDGET_EXCEEDED',
          message: "This model's worst-case cost does not fit the spend cap; trying the next one",
          restart: false,
        });
        expect(await outstandingOnceSettled(() => limiter.outstanding(oneCall[3]))).toBe(0);
        expect((await limiter.spent(oneCall[3])).monthNanos / 1e9).toBe(streamed.meta.costUsd);
      } finally {
        redis.disconnect();
      }
    });
  }
});

describe.each(['closed', 'open'] as const)(
  'spend caps with Redis stopped mid-test, LIMITS_ON_REDIS_FAILURE=%s',
  (policy) => {
    let harness: Harness;
    let proxy: StallingProxy;
    const capped = tenant(`redis-${policy}`);

    beforeAll(async () => {
      const { hostname, port } = new URL(REDIS_URL);
      proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
      harness = await startHarness({
        providers: ['openai'],
        responder: () => SUMMARY_TEXT,
        env: {
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          LIMITS_ON_REDIS_FAILURE: policy,
          // Generous, so the reservation before the stop passes on a loaded machine; a stopped Redis fails at once.
          LIMITS_TIMEOUT_MS: '2000',
          MODEL_PRICES_JSON: JSON.stringify(PRICES),
          GATEWAY_ROUTES_JSON: JSON.stringify({
            tasks: { summarize: { chain: [{ provider: 'openai', model: CHEAP }] } },
          }),
          TENANT_POLICIES_JSON: JSON.stringify({
            tenants: { [capped]: { limits: { monthlyCapUsd: ONE_CHEAP_CALL_USD } } },
          }),
        },
      });
    });

    afterAll(async () => {
      await harness?.stop();
      await proxy?.close();
    });

    test(
      policy === 'closed'
        ? 'the service answers with the floor, reason LIMITS_UNAVAILABLE, calls no model, and counts it'
        : "the service answers under this process's own cap: one call fits, the next is BUDGET_EXCEEDED",
      async () => {
        const client = harness.as(capped);
        await proxy.close();
        const during = await client.summarize({ text: textNo(41) });
        if (policy === 'closed') {
          expect(member(during, 'DegradedSummary').reason).toBe('LIMITS_UNAVAILABLE');
          expect(harness.providers.requestCount(CHAT)).toBe(0);
        } else {
          member(during, 'Summary');
          const over = member(await client.summarize({ text: textNo(42) }), 'DegradedSummary');
          expect(over.reason).toBe('BUDGET_EXCEEDED');
          expect(harness.providers.requestCount(CHAT)).toBe(1);
        }
        const metrics = await harness.metrics();
        expect(metrics.value('ai_limits_unavailable_total', { policy })).toBeGreaterThanOrEqual(1);
      },
    );
  },
);
