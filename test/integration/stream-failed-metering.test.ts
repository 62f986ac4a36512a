// Finding 1: a failing stream kept no ledger entry. A stream that fails on our side (an error to its client, not
// a leave) was metered neither as abandoned nor as a result: no request in ai_feature_requests_total or the
// usage ledger, no request log line, and none of what it had paid for: the question's embedding and the guard
// model's verdict (ask's preparation), the replies the output rails refused before it failed (told to the
// stream by the walk as it closed, then dropped), and what the attempt in flight had received. All of it had
// settled against the tenant's spend cap, so the cap ran ahead of the ledger (and of TenantUsage). Here the
// walk fails mid-stream: the primary's reply and its repair are refused by the format rail, the fallback starts
// streaming, and the gateway's stream throws there (as existing suites provoke a stream failure: the real
// stream, relayed, then a failure of ours in its place). The ledger must hold exactly what the cap settled,
// the request counted once as failed, with its one log line.
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import type { GatewayCall, GatewayOutcome, GatewayStreamEvent } from '../../subgraph/gateway/gateway-call';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import type { ChatRequest } from '../support/providers';
import { POSTGRES_URL, REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { spendOf, spentSince } from '../support/spend-ledger';
import { eventually, waitUntil } from '../support/wait-for';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const GUARD = 'gpt-guard';
const PRIMARY = 'gpt-refused';
const SECONDARY = 'claude-fallback';
const PRICES = {
  [`openai:${GUARD}`]: { inputPerMillion: 4, outputPerMillion: 9 },
  [`openai:${PRIMARY}`]: { inputPerMillion: 3, outputPerMillion: 7 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 2, outputPerMillion: 5 },
};
const TENANT = `failed-stream-${process.pid}`;
const DOCUMENT = {
  id: 'lighthouse',
  title: 'Lighthouse log',
  body: 'The lighthouse keeper logs every passing ship. Storm warnings go out by radio at dusk.',
};
/** No citation marker: the format rail refuses it and asks for a repair, which is refused the same way. */
const UNCITED = 'The keeper logs every passing ship.';
const CITED = 'The keeper logs every passing ship and sends storm warnings by radio at dusk [1].';
const ASK_STREAM = `subscription { askStream(input: { question: "What does the lighthouse keeper log?" }) { __typename } }`;

const isGuard = (request: ChatRequest) => (request.system ?? '').includes('safety classifier');

/** The subgraph with its log lines, Redis (where the spend cap settles) and a tenant with a monthly cap. */
function useSubgraph() {
  const { logger, lines } = capturingLogger('info');
  const suite = {} as { harness: Harness; redis: Redis; lines: string[] };
  suite.lines = lines;
  beforeAll(async () => {
    suite.harness = await startHarness({
      logger,
      providers: ['openai', 'anthropic'],
      responder: {
        openai: (request) => (isGuard(request) ? 'safe' : UNCITED),
        anthropic: () => CITED,
      },
      env: {
        REDIS_URL,
        DEADLINE_MS: '20000',
        ATTEMPT_TIMEOUT_MS: '30000',
        CACHE_TTL_ANSWER_SECONDS: '0',
        CIRCUIT_CONSECUTIVE_FAILURES: '1000',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: {
            guard: { chain: [{ provider: 'openai', model: GUARD }] },
            answer: {
              chain: [
                { provider: 'openai', model: PRIMARY },
                { provider: 'anthropic', model: SECONDARY },
              ],
              hedge: false,
            },
          },
        }),
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [TENANT]: { limits: { monthlyCapUsd: 10 } } } }),
      },
    });
    suite.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    expect((await suite.harness.as(TENANT).ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
  });
  afterAll(async () => {
    suite.redis?.disconnect();
    await suite.harness?.stop();
  });
  return suite;
}

/** Subscribes to askStream as TENANT; the events' typenames (or 'error') go to `events`. */
async function askStream(harness: Harness, events: string[]): Promise<Client> {
  const client = createClient({
    url: harness.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${await harness.token(TENANT)}` },
  });
  client.subscribe<{ askStream: { __typename: string } }>(
    { query: ASK_STREAM },
    {
      next: (result) => events.push(result.data?.askStream.__typename ?? 'error'),
      error: () => events.push('error'),
      complete: () => undefined,
    },
  );
  return client;
}

/** Waits for the stream's error, then for its finally to have run (it no longer counts as open). */
async function failedAndClosed(harness: Harness, events: string[]): Promise<void> {
  await waitUntil(() => events.includes('error'), 15_000, 'the stream failed');
  const open = async () => (await harness.metrics()).value('ai_open_subscriptions', { field: 'askStream' });
  await eventually(async () => ((await open()) === 0 ? true : undefined), 5_000, 'no stream open');
}

const requestsOf = async (harness: Harness, outcome: string) =>
  (await harness.metrics()).value('ai_feature_requests_total', { feature: 'ask', outcome });

describe('finding 1: a stream whose walk fails after it paid for work', () => {
  const suite = useSubgraph();

  it('the ledger keeps the request and everything it paid for: preparation, refused replies, the attempt in flight', async () => {
    const { harness, redis, lines } = suite;
    const tenant = harness.as(TENANT);
    const before = await spendOf(harness, redis, TENANT);
    expect(before.ledger).toBe(before.settled);
    const askRequests = async () =>
      (await tenant.usage()).byFeature.find((line) => line.feature === 'ask')?.requests ?? 0;
    const askRequestsBefore = await askRequests();
    harness.providers.reset();

    const gateway = harness.app.gateway;
    const stream = gateway.stream.bind(gateway);
    // The real stream, relayed until the fallback target's first delta, then a failure of ours in its place
    // (the walk closed first, as a walk that throws is).
    gateway.stream = async function* failing(
      call: GatewayCall,
    ): AsyncGenerator<GatewayStreamEvent, GatewayOutcome, undefined> {
      const inner = stream(call);
      let fallbacks = 0;
      try {
        for (;;) {
          const next = await inner.next();
          if (next.done) return next.value;
          if (next.value.type === 'fallback') fallbacks += 1;
          // The repair's notice, then the fallback's: this delta is the second target's.
          else if (fallbacks === 2) throw new Error('the walk failed mid-stream');
          yield next.value;
        }
      } finally {
        await inner.return(undefined as never);
      }
    };
    const events: string[] = [];
    let client: Client | undefined;
    try {
      client = await askStream(harness, events);
      await failedAndClosed(harness, events);
    } finally {
      gateway.stream = stream;
      await client?.dispose();
    }
    // The guard's verdict, then the primary's reply and its repair, all paid for; then the fallback.
    expect(harness.providers.openai.requestCount(CHAT)).toBe(3);
    expect(harness.providers.anthropic.requestCount(MESSAGES)).toBe(1);
    expect(events).toContain('StreamNotice');
    const spent = await spentSince(harness, redis, TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    // Counted once, as failed: a failure, not a leave.
    expect(await requestsOf(harness, 'failed')).toBe(1);
    expect(await requestsOf(harness, 'abandoned')).toBe(0);
    // One request of its feature in TenantUsage, and one log line saying what it cost.
    expect(await askRequests()).toBe(askRequestsBefore + 1);
    const failedLines = lines
      .map((line) => JSON.parse(line) as { msg?: string })
      .filter((line) => line.msg === 'stream failed');
    expect(failedLines).toEqual([
      expect.objectContaining({ tenant: TENANT, outcome: 'failed', costUsd: spent.settled / 1e9 }),
    ]);
  });
});

// Its own subgraph: the database fault must meet this subgraph's first lexical search.
describe('finding 1: a stream whose preparation fails on a database error', () => {
  const suite = useSubgraph();

  it('is counted once, as failed, and what its guard model cost is in the ledger once (ask records it)', async () => {
    const { harness, redis, lines } = suite;
    const before = await spendOf(harness, redis, TENANT);
    expect(before.ledger).toBe(before.settled);
    harness.providers.reset();
    // The lexical search reads the corpus statistics: without them it fails, as on a database error.
    const schema = harness.app.config.store.schema;
    const pg = new PgClient({ connectionString: POSTGRES_URL });
    await pg.connect();
    const events: string[] = [];
    let client: Client | undefined;
    try {
      await pg.query(`ALTER TABLE ${schema}.corpus_stats RENAME TO corpus_stats_away`);
      client = await askStream(harness, events);
      await failedAndClosed(harness, events);
    } finally {
      await pg.query(`ALTER TABLE ${schema}.corpus_stats_away RENAME TO corpus_stats`);
      await pg.end();
      await client?.dispose();
    }
    expect(events).toEqual(['error']);
    // The guard's verdict was all it paid for, and ask recorded it itself (ask.ts): in the ledger once.
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
    const spent = await spentSince(harness, redis, TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    expect(await requestsOf(harness, 'failed')).toBe(1);
    expect(lines.filter((line) => line.includes('"stream failed"'))).toHaveLength(1);
  });
});
