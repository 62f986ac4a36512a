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
import type { Client } from 'graphql-ws';
import type { GatewayCall, GatewayOutcome, GatewayStreamEvent } from '../../subgraph/gateway/gateway-call';
import { featureRequests } from '../support/feature-requests';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import type { ChatRequest } from '../support/providers';
import { LIGHTHOUSE, REFUSED_THEN_FALLBACK } from '../support/refused-replies';
import { whileRetrievalFails } from '../support/retrieval-failure';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import { eventually, waitUntil } from '../support/wait-for';
import { bearerWsClient, subscribeTypenames } from '../support/ws-client';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const GUARD = 'gpt-guard';
const PRICES = {
  [`openai:${GUARD}`]: { inputPerMillion: 4, outputPerMillion: 9 },
  ...REFUSED_THEN_FALLBACK.prices,
};
const TENANT = `failed-stream-${process.pid}`;

const isGuard = (request: ChatRequest) => (request.system ?? '').includes('safety classifier');

/** The subgraph with its log lines, Redis (where the spend cap settles) and a tenant with a monthly cap. */
function useSubgraph() {
  const { logger, lines } = capturingLogger('info');
  const suite = useSpendHarness({
    logger,
    providers: ['openai', 'anthropic'],
    responder: {
      openai: (request) => (isGuard(request) ? 'safe' : LIGHTHOUSE.uncitedAnswer),
      anthropic: () => LIGHTHOUSE.citedAnswer,
    },
    env: {
      DEADLINE_MS: '20000',
      ATTEMPT_TIMEOUT_MS: '30000',
      CACHE_TTL_ANSWER_SECONDS: '0',
      CIRCUIT_CONSECUTIVE_FAILURES: '1000',
    },
    prices: PRICES,
    routes: {
      tasks: {
        guard: { chain: [{ provider: 'openai', model: GUARD }] },
        answer: REFUSED_THEN_FALLBACK.route,
      },
    },
    cappedTenants: [TENANT],
  });
  beforeAll(async () => {
    expect((await suite.harness.as(TENANT).ingest(LIGHTHOUSE.document)).chunks).toBeGreaterThan(0);
  });
  return { ...suite, lines };
}

/** Subscribes to askStream as TENANT; the events' typenames (or 'error') go to `events`. */
async function askStream(harness: Harness, events: string[]): Promise<Client> {
  const client = bearerWsClient(harness.wsUrl, await harness.token(TENANT));
  subscribeTypenames(client, LIGHTHOUSE.askStream, 'askStream', events);
  return client;
}

/** Waits for the stream's error, then for its finally to have run (it no longer counts as open). */
async function failedAndClosed(harness: Harness, events: string[]): Promise<void> {
  await waitUntil(() => events.includes('error'), 15_000, 'the stream failed');
  const open = async () => (await harness.metrics()).value('ai_open_subscriptions', { field: 'askStream' });
  await eventually(async () => ((await open()) === 0 ? true : undefined), 5_000, 'no stream open');
}

const requestsOf = (harness: Harness, outcome: string) => featureRequests(harness, 'ask', outcome);

describe('finding 1: a stream whose walk fails after it paid for work', () => {
  const suite = useSubgraph();

  it('the ledger keeps the request and everything it paid for: preparation, refused replies, the attempt in flight', async () => {
    const { harness, lines } = suite;
    const tenant = harness.as(TENANT);
    const before = await suite.spend(TENANT);
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
    const spent = await suite.spentSince(TENANT, before);
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
    const { harness, lines } = suite;
    const before = await suite.spend(TENANT);
    expect(before.ledger).toBe(before.settled);
    harness.providers.reset();
    const events: string[] = [];
    let client: Client | undefined;
    try {
      await whileRetrievalFails(harness, async () => {
        client = await askStream(harness, events);
        await failedAndClosed(harness, events);
      });
    } finally {
      await client?.dispose();
    }
    expect(events).toEqual(['error']);
    // The guard's verdict was all it paid for, and ask recorded it itself (ask.ts): in the ledger once.
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
    const spent = await suite.spentSince(TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    expect(await requestsOf(harness, 'failed')).toBe(1);
    expect(lines.filter((line) => line.includes('"stream failed"'))).toHaveLength(1);
  });
});
