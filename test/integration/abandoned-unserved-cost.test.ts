// Finding 1: a stream or call the caller leaves lost the replies it had already paid for. The first target's
// reply fails an output rail (its repair fails too), so what both cost is kept by the walk as unserved while it
// falls back to the second target; the caller then leaves (an unsubscribed askStream, a cancelled summary job)
// while the second target runs. Every attempt settled against the tenant's spend cap, the refused replies
// included; the walk ended abandoned and dropped them, so the ledger held only what the second target had
// received. Here the ledger must hold exactly what the cap settled, once no reservation is outstanding.
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import type { ChatRequest } from '../support/providers';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { eventually, waitFor } from '../support/wait-for';
import { spendOf, spentSince } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const PRIMARY = 'gpt-refused';
const SECONDARY = 'claude-fallback';
const CHAIN = {
  chain: [
    { provider: 'openai', model: PRIMARY },
    { provider: 'anthropic', model: SECONDARY },
  ],
  hedge: false,
};
const PRICES = {
  [`openai:${PRIMARY}`]: { inputPerMillion: 3, outputPerMillion: 7 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 2, outputPerMillion: 5 },
};
const STREAM_TENANT = `left-stream-${process.pid}`;
const JOB_TENANT = `left-job-${process.pid}`;
const DOCUMENT = {
  id: 'lighthouse',
  title: 'Lighthouse log',
  body: 'The lighthouse keeper logs every passing ship. Storm warnings go out by radio at dusk.',
};
/** No citation marker: the format rail refuses it and asks for a repair, which is refused the same way. */
const UNCITED = 'The keeper logs every passing ship.';
const CITED = 'The keeper logs every passing ship and sends storm warnings by radio at dusk [1].';
const SUMMARY_TEXT =
  'The quarterly report shows that revenue grew while costs stayed flat across every region.';
/** A number, a year and a name the text lacks: the summary rail refuses it, with no repair. */
const INVENTED = 'Revenue grew by 87 percent in 2031, said Bartholomew Quince.';
const ASK_STREAM = `subscription { askStream(input: { question: "What does the lighthouse keeper log?" }) { __typename } }`;

const isSummary = (request: ChatRequest) => (request.system ?? '').toLowerCase().includes('summar');

describe('finding 1: a caller that leaves after a refused reply', () => {
  let harness: Harness;
  let redis: Redis;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder: {
        openai: (request) => (isSummary(request) ? INVENTED : UNCITED),
        anthropic: (request) => (isSummary(request) ? SUMMARY_TEXT : CITED),
      },
      env: {
        ...FAST_JOBS,
        REDIS_URL,
        DEADLINE_MS: '20000',
        JOB_DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        CACHE_TTL_ANSWER_SECONDS: '0',
        CACHE_TTL_SUMMARIZE_SECONDS: '0',
        CIRCUIT_CONSECUTIVE_FAILURES: '1000',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({ tasks: { answer: CHAIN, summarize: CHAIN } }),
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: {
            [STREAM_TENANT]: { limits: { monthlyCapUsd: 10 } },
            [JOB_TENANT]: { limits: { monthlyCapUsd: 10 } },
          },
        }),
      },
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  });

  beforeEach(() => harness.providers.reset());

  afterAll(async () => {
    redis?.disconnect();
    await harness?.stop();
  });

  const spend = (tenant: string) => spendOf(harness, redis, tenant);

  it('askStream unsubscribed while the fallback streams: the ledger keeps the refused replies’ cost', async () => {
    const tenant = harness.as(STREAM_TENANT);
    expect((await tenant.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
    const before = await spend(STREAM_TENANT);
    expect(before.ledger).toBe(before.settled);
    harness.providers.reset();
    harness.providers.anthropic.faults.always({ kind: 'slow-drip', delayMs: 1_000 }, { path: MESSAGES });
    const client: Client = createClient({
      url: harness.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await tenant.token()}` },
    });
    try {
      const events: string[] = [];
      const unsubscribe = client.subscribe<{ askStream: { __typename: string } }>(
        { query: ASK_STREAM },
        {
          next: (result) => events.push(result.data?.askStream.__typename ?? 'error'),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      const fallback = await waitFor(
        () => harness.providers.anthropic.requests.find((request) => request.path === MESSAGES),
        10_000,
        'the fallback target’s request',
      );
      // The fallback has streamed a delta or two: the client leaves mid-answer.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(fallback.closedAt).toBeUndefined();
      unsubscribe();
      await waitFor(() => fallback.closedAt, 5_000, 'the fallback request closed');
      // The primary answered twice (the reply and its repair), both refused by the format rail.
      expect(harness.providers.openai.requestCount(CHAT)).toBe(2);
      expect(events).toContain('StreamNotice');
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
      await client.dispose();
    }
    const spent = await spentSince(harness, redis, STREAM_TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
  });

  it('a summary job cancelled while the fallback runs: the ledger keeps the refused summary’s cost', async () => {
    const tenant = harness.as(JOB_TENANT);
    const before = await spend(JOB_TENANT);
    harness.providers.anthropic.faults.always({ kind: 'latency', ms: 20_000 }, { path: MESSAGES });
    const job = (
      await tenant.data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: SUMMARY_TEXT } })
    ).startSummaryJob;
    const fallback = await waitFor(
      () => harness.providers.anthropic.requests.find((request) => request.path === MESSAGES),
      20_000,
      'the fallback target’s request',
    );
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
    const cancelled = (await tenant.data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id }))
      .cancelAIJob;
    expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED' });
    await waitFor(() => fallback.closedAt, 5_000, 'the fallback request closed');
    expect(fallback.aborted).toBe(true);
    await eventually(
      async () =>
        (await harness.metrics()).value('ai_feature_requests_total', {
          feature: 'summarize',
          outcome: 'abandoned',
        }) === 1
          ? true
          : undefined,
      5_000,
      'the job’s request metered as abandoned',
    );
    const read = await tenant.data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
    expect(read.aiJob.status).toBe('CANCELLED');
    const spent = await spentSince(harness, redis, JOB_TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
  });
});
