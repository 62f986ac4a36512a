// ai_open_subscriptions counts the streams open now, by field: one more while a stream runs, and back down
// exactly once however it ends (completed, unsubscribed, its socket dropped without a close, or failed with an
// error). A stream its tenant's maxConcurrentStreams refuses never opens, and counts in
// ai_limit_refusals_total{limit="streams"}; one past the connection's bound (the operator's, not the
// tenant's) does not.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { requirePostgres } from '../support/services';
import { waitUntil } from '../support/wait-for';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection } from '../support/ws-client';

requirePostgres();

const CHAT = '/v1/chat/completions';
const ANSWER = 'Every quokka crate is weighed twice before the marmalade leaves the harbour [1].';
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour ledger',
  body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
};
const ASK_STREAM = `subscription { askStream(input: { question: "How are quokka crates weighed?" }) {
  __typename ... on AskCompleted { result { __typename ... on AIUnavailable { reason } } } } }`;

const run = randomBytes(4).toString('hex');
const SINGLE = `one-stream-${run}`;
const OPEN = `open-streams-${run}`;

let harness: Harness;
const connections: WsConnection[] = [];

async function gauge(field = 'askStream'): Promise<number | undefined> {
  const samples = (await harness.metrics()).find('ai_open_subscriptions', { field });
  return samples[0]?.value;
}

/** Polls /metrics until the gauge reads `value`; then holds it a moment, so a late second decrement shows. */
async function gaugeSettlesAt(value: number): Promise<void> {
  const until = Date.now() + 5_000;
  while ((await gauge()) !== value && Date.now() < until) await sleep(20);
  await sleep(100);
  expect(await gauge()).toBe(value);
}

async function connect(tenant: string): Promise<WsConnection> {
  const connection = openWsConnection(harness.wsUrl, {
    authorization: `Bearer ${await harness.token(tenant)}`,
  });
  connections.push(connection);
  return connection;
}

const providerCalls = () => harness.providers.requestCount(CHAT);

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai'],
    responder: () => ANSWER,
    env: {
      // Only the tests end the held streams: no deadline or attempt timeout does.
      DEADLINE_MS: '60000',
      ATTEMPT_TIMEOUT_MS: '60000',
      CACHE_TTL_ANSWER_SECONDS: '0',
      WS_MAX_STREAMS_PER_CONNECTION: '2',
      TENANT_POLICIES_JSON: JSON.stringify({
        tenants: { [SINGLE]: { tier: 'bronze', limits: { maxConcurrentStreams: 1 } } },
      }),
    },
  });
  for (const tenant of [SINGLE, OPEN]) await harness.as(tenant).ingest(DOCUMENT);
});

beforeEach(() => harness.providers.reset());

afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.dispose()));
});

afterAll(() => harness?.stop());

it('a stream that completes counts while open and not after', async () => {
  const events = await harness.as(OPEN).askStream('How are quokka crates weighed?');
  expect(events.at(-1)?.__typename).toBe('AskCompleted');
  await gaugeSettlesAt(0);
});

it('an unsubscribed stream counts until the client leaves, once', async () => {
  harness.providers.openai.faults.always({ kind: 'hang' });
  const stream = (await connect(OPEN)).start(ASK_STREAM);
  await waitUntil(() => providerCalls() === 1, 5_000, 'the provider call');
  await gaugeSettlesAt(1);
  stream.stop();
  await gaugeSettlesAt(0);
});

it('a stream whose socket drops without a close counts until the server notices, once', async () => {
  harness.providers.openai.faults.always({ kind: 'hang' });
  const socket = new WebSocket(harness.wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acknowledged = new Promise((resolve) => socket.once('message', resolve));
  socket.send(
    JSON.stringify({
      type: 'connection_init',
      payload: { authorization: `Bearer ${await harness.token(OPEN)}` },
    }),
  );
  await acknowledged;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ASK_STREAM } }));
  await waitUntil(() => providerCalls() === 1, 5_000, 'the provider call');
  await gaugeSettlesAt(1);
  socket.terminate();
  await gaugeSettlesAt(0);
});

it("a stream over the tenant's maxConcurrentStreams never opens and counts as a streams refusal; one over the connection's bound is not the tenant's", async () => {
  harness.providers.openai.faults.always({ kind: 'hang' });
  const held = (await connect(SINGLE)).start(ASK_STREAM);
  await waitUntil(() => providerCalls() === 1, 5_000, 'the provider call');
  const refused = await (
    await connect(SINGLE)
  ).run<{ askStream: { result?: { reason?: string } } }>(ASK_STREAM);
  expect(refused.kind === 'results' && refused.results[0]?.data?.askStream.result?.reason).toBe(
    'RATE_LIMITED',
  );
  await gaugeSettlesAt(1);
  let metrics = await harness.metrics();
  expect(metrics.value('ai_limit_refusals_total', { limit: 'streams', tier: 'bronze' })).toBe(1);
  held.stop();
  await gaugeSettlesAt(0);

  // Two streams fill a connection (WS_MAX_STREAMS_PER_CONNECTION=2); the third is refused by the operator's
  // bound on connections, which is no limit of the tenant's.
  const connection = await connect(OPEN);
  const streams = [connection.start(ASK_STREAM), connection.start(ASK_STREAM)];
  await waitUntil(() => providerCalls() === 3, 5_000, 'two more provider calls');
  await connection.run(ASK_STREAM);
  await gaugeSettlesAt(2);
  metrics = await harness.metrics();
  expect(metrics.value('ai_limit_refusals_total')).toBe(1);
  for (const stream of streams) stream.stop();
  await gaugeSettlesAt(0);
});

// Last: it takes the application role's read of chunks away for good.
it('a stream that fails with an error counts until it fails, once', async () => {
  const { schema, appRole } = harness.app.config.store;
  await harness.app.store.db.exec(`REVOKE SELECT ON ${schema}.chunks FROM ${appRole}`);
  // A question of its own: the retrieval of the earlier one may be served from the search cache.
  const outcome = await (await connect(OPEN)).run(ASK_STREAM.replace('crates weighed', 'pallets counted'));
  expect(outcome.kind === 'results' && outcome.results.at(-1)?.errors?.[0]?.extensions).toEqual({
    code: 'INTERNAL_SERVER_ERROR',
  });
  await gaugeSettlesAt(0);
});
