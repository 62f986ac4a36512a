// Only a client's leaving is metered as abandoned, and every stream it leaves is, wherever the stream stands:
// while its admission is decided (the tenant's stream lease, a Redis round trip), while it prepares (its rails
// that ran are counted), and not a stream that failed on our side, whose client got an error. Found by a
// review: a stream left during admission left no count and no log line; one left while its guard model read
// the question dropped its input rail; a failure of the gateway's stream was counted and logged as the client
// leaving.
import type { GatewayCall } from '../../subgraph/gateway/gateway-call';
import { featureRequests } from '../support/feature-requests';
import { capturingLogger } from '../support/logs';
import type { ChatRequest } from '../support/providers';
import { defaultResponder } from '../support/providers';
import { HARBOUR_RULES } from '../support/sample-documents';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { useSubscribingTenant } from '../support/subscribing-tenant';
import { eventually, waitFor, waitUntil } from '../support/wait-for';
import { subscribeTypenames } from '../support/ws-client';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
/** A provider's reply due this late is still pending when the test ends the stream. */
const SLOW_MS = 20_000;
const TENANT = `stream-metering-${process.pid}`;
const ASK_STREAM = `subscription { askStream(input: { question: "Who collects the mooring fee?" }) { __typename } }`;
const isGuard = (request: ChatRequest) => (request.system ?? '').includes('safety classifier');

describe('metering a stream by how it ended', () => {
  const { logger, lines } = capturingLogger('info');
  const { harness, client } = useSubscribingTenant(
    {
      logger,
      providers: ['openai'],
      responder: (request) => (isGuard(request) ? 'safe' : defaultResponder(request)),
      env: {
        REDIS_URL,
        DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        CACHE_TTL_ANSWER_SECONDS: '0',
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { guard: { chain: [{ provider: 'openai', model: 'gpt-guard' }] } },
        }),
      },
    },
    TENANT,
    HARBOUR_RULES,
  );

  beforeEach(() => harness.providers.reset());

  const abandoned = () => featureRequests(harness, 'ask', 'abandoned');
  const abandonedLines = () => lines.filter((line) => line.includes('stream abandoned by the client')).length;

  /** Subscribes to askStream; the events' typenames (or 'error') go to `events`; returns the unsubscribe. */
  const askStream = (events: string[]) => subscribeTypenames(client, ASK_STREAM, 'askStream', events);

  /** Waits until ai_feature_requests_total{outcome="abandoned"} reaches `count`, for up to 5 s. */
  const abandonedReaches = (count: number) =>
    eventually(async () => ((await abandoned()) >= count ? true : undefined), 5_000, `${count} abandoned`);

  it('counts a stream left while its stream lease is acquired as abandoned, with one log line', async () => {
    const leases = harness.app.state.streamLeases;
    const acquire = leases.acquire.bind(leases);
    let acquiring = false;
    let letThrough = () => undefined as void;
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    // The real lease, acquired once the client has left: as a slow Redis would answer it.
    leases.acquire = async (tenantId, limit) => {
      acquiring = true;
      await held;
      return acquire(tenantId, limit);
    };
    const before = { count: await abandoned(), lines: abandonedLines() };
    try {
      const events: string[] = [];
      const unsubscribe = askStream(events);
      await waitUntil(() => acquiring, 5_000, 'the stream lease requested');
      unsubscribe();
      letThrough();
      await abandonedReaches(before.count + 1);
      expect(await abandoned()).toBe(before.count + 1);
      expect(abandonedLines()).toBe(before.lines + 1);
      expect(harness.providers.requestCount(CHAT)).toBe(0);
      expect(events).toEqual([]);
    } finally {
      letThrough();
      leases.acquire = acquire;
    }
  });

  it('counts the input rail of a stream left while its guard model reads the question', async () => {
    const input = async () =>
      (await harness.metrics()).value('ai_guardrail_outcomes_total', { rail: 'input', outcome: 'pass' });
    const before = { count: await abandoned(), input: await input() };
    // The guard's call is the stream's first chat request: the question's preparation waits on it.
    harness.providers.openai.faults.once({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const events: string[] = [];
    const unsubscribe = askStream(events);
    const guard = await waitFor(
      () => harness.providers.openai.requests.find((request) => request.path === CHAT),
      10_000,
      "the guard model's call",
    );
    unsubscribe();
    await waitFor(() => guard.closedAt, 5_000, "the guard model's call closed");
    await abandonedReaches(before.count + 1);
    expect(await abandoned()).toBe(before.count + 1);
    expect((await input()) - before.input).toBe(1);
    expect(harness.providers.requestCount(CHAT)).toBe(1);
  });

  it('does not count a stream whose gateway stream failed on our side as abandoned', async () => {
    const gateway = harness.app.gateway;
    const stream = gateway.stream.bind(gateway);
    // The real stream, relayed whole, then a failure of ours in place of its outcome.
    gateway.stream = async function* failing(call: GatewayCall) {
      yield* stream(call);
      throw new Error('the stream failed after its last delta');
    };
    const open = async () => (await harness.metrics()).value('ai_open_subscriptions', { field: 'askStream' });
    const before = { count: await abandoned(), lines: abandonedLines() };
    try {
      const events: string[] = [];
      askStream(events);
      await waitUntil(() => events.includes('error'), 10_000, 'the stream failed');
      // The stream's finally has run once its subscription no longer counts as open.
      await eventually(async () => ((await open()) === 0 ? true : undefined), 5_000, 'no stream open');
      expect(events).toContain('AnswerDelta');
      expect(await abandoned()).toBe(before.count);
      expect(abandonedLines()).toBe(before.lines);
    } finally {
      gateway.stream = stream;
    }
  });
});
