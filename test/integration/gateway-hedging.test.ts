// Hedged requests through the public API, with the real fake providers: a primary (openai) that has not
// answered by the route's hedge delay races the secondary (anthropic). The first complete answer wins (for a
// stream, the first text) and the other's request is really aborted (the fake provider sees its connection
// close), its cost kept in the answer's cost and the tenant's ledger. A spend cap with room for one attempt
// starts no hedge; a route with `hedge: false` never sends a second request.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness } from '../support/harness';
import type { Harness, TenantClient } from '../support/harness';
import { ALBATROSS, PRIMARY, PRIMARY_THEN_SECONDARY, SECONDARY } from '../support/primary-secondary-route';
import type { ChatRequest, FakeProviderServer, RecordedRequest } from '../support/providers';
import { deltaText, member } from '../support/results';
import type { AskCompleted } from '../support/results';
import { requirePostgres } from '../support/services';
import { waitFor } from '../support/wait-for';
import { openWsConnection } from '../support/ws-client';

jest.setTimeout(60_000);
requirePostgres();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const ATTEMPT_TIMEOUT_MS = 5_000;
const HEDGE_AFTER_MS = 100;
/** Slower than the hedge delay, far faster than the attempt timeout: a healthy but slow target. */
const SLOW_MS = 800;

const PRIMARY_ANSWER = 'They nest on remote oceanic islands, the primary says [1].';
const PRIMARY_SUMMARY = 'The primary summary: revenue grew while costs stayed flat.';
const SECONDARY_SUMMARY = 'Revenue grew while costs stayed flat.';

// Input tokens priced, output free: a call costs what its prompt costs, which the subgraph can estimate.
const PRICES = {
  [`openai:${PRIMARY}`]: { inputPerMillion: 1, outputPerMillion: 0 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 1, outputPerMillion: 0 },
};
const REPORT = 'The quarterly report shows revenue grew by twelve percent while costs stayed flat.';
// About 4,000 characters: 1,000 input tokens plus the prompt's own few hundred, $0.001 to $0.0014 a call.
const LONG_REPORT = Array.from({ length: 50 }, () => REPORT).join(' ');
/** Room for one call's worst case, not for two at once. */
const ONE_CALL_USD = 0.0016;
const CAPPED_TENANT = 'hedge-capped-co';

let counter = 0;
/** A distinct text per call, so that no cached summary hides a hedge. */
const reportNo = (label: string, text = REPORT) => `${text} Note ${label} ${(counter += 1)}.`;

const isSummary = (request: ChatRequest) => request.system?.includes('summarize business documents') ?? false;

/** What one unhedged summary of a text of this length costs: the primary answering alone, before the delay. */
async function oneCallUsd(client: TenantClient): Promise<number> {
  const result = await client.summarize({ text: reportNo('one call'), maxWords: 40 });
  const summary = member(result, 'Summary');
  expect(summary.meta.provider).toBe('openai');
  expect(summary.meta.costUsd).toBeGreaterThan(0);
  return summary.meta.costUsd;
}

/** Set by a test: the primary's request holds the thread (as a saturated loop would) for this long, 10 ms in. */
let stallOnPrimaryMs = 0;

function startHedgingHarness(hedge: unknown): Promise<Harness> {
  return startHarness({
    providers: ['openai', 'anthropic'],
    responder: {
      openai: async (request) => {
        const ms = stallOnPrimaryMs;
        if (ms > 0) {
          setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms), 10);
          await sleep(ms + 150);
        }
        return isSummary(request) ? PRIMARY_SUMMARY : PRIMARY_ANSWER;
      },
      anthropic: (request) => (isSummary(request) ? SECONDARY_SUMMARY : ALBATROSS.secondaryAnswer),
    },
    env: {
      ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
      DEADLINE_MS: '8000',
      CACHE_TTL_ANSWER_SECONDS: '0',
      CACHE_TTL_SUMMARIZE_SECONDS: '0',
      MODEL_PRICES_JSON: JSON.stringify(PRICES),
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: {
          answer: { chain: PRIMARY_THEN_SECONDARY, hedge },
          summarize: { chain: PRIMARY_THEN_SECONDARY, hedge },
        },
      }),
      TENANT_POLICIES_JSON: JSON.stringify({
        tenants: { [CAPPED_TENANT]: { limits: { dailyCapUsd: ONE_CALL_USD } } },
      }),
    },
  });
}

/** The one chat request a fake provider received, once its connection has closed. */
async function closedRequest(server: FakeProviderServer, path: string): Promise<RecordedRequest> {
  return waitFor(
    () => {
      const requests = server.requests.filter((request) => request.path === path);
      return requests.length === 1 && requests[0]?.closedAt !== undefined ? requests[0] : undefined;
    },
    ATTEMPT_TIMEOUT_MS,
    `the one ${path} request to close`,
  );
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('hedging on, after 100 ms', () => {
  let harness: Harness;
  let client: TenantClient;
  const openai = () => harness.providers.openai;
  const anthropic = () => harness.providers.anthropic;

  beforeAll(async () => {
    harness = await startHedgingHarness({ afterMs: HEDGE_AFTER_MS });
    client = harness.as('hedge-co');
    expect((await client.ingest(ALBATROSS.guide)).chunks).toBeGreaterThan(0);
  });
  afterAll(() => harness?.stop());
  beforeEach(() => harness.providers.reset());

  it('a hung primary: the secondary answers, long before the attempt timeout, and the primary request is aborted', async () => {
    openai().faults.always({ kind: 'hang' }, { path: CHAT });
    const before = await harness.metrics();
    const { value: result, ms } = await timed(() => client.ask('Where do albatrosses nest? (hung primary)'));
    expect(member(result, 'Answer')).toMatchObject({
      text: ALBATROSS.secondaryAnswer,
      meta: { provider: 'anthropic', model: SECONDARY },
    });
    // A behaviour check, not a benchmark: without the hedge this call waits out the 5 s attempt timeout.
    expect(ms).toBeLessThan(ATTEMPT_TIMEOUT_MS);
    expect((await closedRequest(openai(), CHAT)).aborted).toBe(true);
    expect(anthropic().requestCount(MESSAGES)).toBe(1);
    const after = await harness.metrics();
    const hedges = (outcome: string) =>
      after.value('ai_hedges_total', { task: 'answer', outcome }) -
      before.value('ai_hedges_total', { task: 'answer', outcome });
    expect(hedges('started')).toBe(1);
    expect(hedges('won')).toBe(1);
    // The aborted attempt is counted as cancelled, not as a timeout (its breaker hears of one slow failure).
    const primaryCalls = (outcome: string) =>
      after.value('ai_model_calls_total', { provider: 'openai', model: PRIMARY, outcome }) -
      before.value('ai_model_calls_total', { provider: 'openai', model: PRIMARY, outcome });
    expect(primaryCalls('cancelled')).toBe(1);
    expect(primaryCalls('timeout')).toBe(0);
  });

  it('a healthy but slow primary loses to the secondary, and what its request cost is in the answer and the ledger', async () => {
    const oneCall = await oneCallUsd(client);
    harness.providers.reset();
    openai().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const before = await client.usage();
    const result = await client.summarize({ text: reportNo('slow primary'), maxWords: 40 });
    const summary = member(result, 'Summary');
    expect(summary).toMatchObject({ text: SECONDARY_SUMMARY, meta: { provider: 'anthropic' } });
    expect((await closedRequest(openai(), CHAT)).aborted).toBe(true);
    // Both targets price input alike: the answer costs about two calls, the winner's and the prompt the
    // aborted primary had received.
    expect(summary.meta.costUsd).toBeGreaterThan(oneCall * 1.5);
    const after = await client.usage();
    const spent = (usage: typeof before) =>
      usage.byFeature.find((f) => f.feature === 'summarize')?.costUsd ?? 0;
    expect(spent(after) - spent(before)).toBeCloseTo(summary.meta.costUsd, 9);
  });

  it('a primary that answers after the delay but before the hedge: the primary wins, the hedge is aborted and paid', async () => {
    const oneCall = await oneCallUsd(client);
    harness.providers.reset();
    openai().faults.always({ kind: 'latency', ms: 300 }, { path: CHAT });
    anthropic().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: MESSAGES });
    const before = await harness.metrics();
    const result = await client.summarize({ text: reportNo('hedge loses'), maxWords: 40 });
    const summary = member(result, 'Summary');
    expect(summary).toMatchObject({ text: PRIMARY_SUMMARY, meta: { provider: 'openai', model: PRIMARY } });
    expect((await closedRequest(anthropic(), MESSAGES)).aborted).toBe(true);
    const after = await harness.metrics();
    expect(
      after.value('ai_hedges_total', { task: 'summarize', outcome: 'lost' }) -
        before.value('ai_hedges_total', { task: 'summarize', outcome: 'lost' }),
    ).toBe(1);
    expect(summary.meta.costUsd).toBeGreaterThan(oneCall * 1.5);
  });

  it('a primary that answers before the delay: no hedge is started', async () => {
    const result = await client.summarize({ text: reportNo('fast primary'), maxWords: 40 });
    expect(member(result, 'Summary').meta.provider).toBe('openai');
    expect(anthropic().requestCount(MESSAGES)).toBe(0);
  });

  it('a primary late only behind our own stalled event loop: no hedge (bench:latency saw 200 such hedges, all lost, at 200 in flight)', async () => {
    const before = await harness.metrics();
    stallOnPrimaryMs = 250;
    try {
      const result = await client.summarize({ text: reportNo('stalled loop'), maxWords: 40 });
      expect(member(result, 'Summary').meta.provider).toBe('openai');
    } finally {
      stallOnPrimaryMs = 0;
    }
    expect(anthropic().requestCount(MESSAGES)).toBe(0);
    const after = await harness.metrics();
    expect(
      after.value('ai_hedges_total', { task: 'summarize', outcome: 'overloaded' }) -
        before.value('ai_hedges_total', { task: 'summarize', outcome: 'overloaded' }),
    ).toBe(1);
  });

  it('a primary that fails before the delay: the walk falls back once, with no second start', async () => {
    openai().faults.always({ kind: 'status', status: 400 }, { path: CHAT });
    const result = await client.summarize({ text: reportNo('failing primary'), maxWords: 40 });
    expect(member(result, 'Summary').meta.provider).toBe('anthropic');
    expect(openai().requestCount(CHAT)).toBe(1);
    expect(anthropic().requestCount(MESSAGES)).toBe(1);
  });

  it('a spend cap with room for one attempt only: no hedge is started, and the slow primary answers', async () => {
    openai().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const before = await harness.metrics();
    const result = await harness
      .as(CAPPED_TENANT)
      .summarize({ text: reportNo('capped', LONG_REPORT), maxWords: 40 });
    expect(member(result, 'Summary').meta.provider).toBe('openai');
    expect(anthropic().requestCount(MESSAGES)).toBe(0);
    const after = await harness.metrics();
    const hedges = (outcome: string) =>
      after.value('ai_hedges_total', { task: 'summarize', outcome }) -
      before.value('ai_hedges_total', { task: 'summarize', outcome });
    expect(hedges('refused')).toBe(1);
    expect(hedges('started')).toBe(0);
  });

  it('a stream whose primary sends no first token by the delay: the secondary streams, and no delta of the primary reaches the client', async () => {
    // The primary's text would come after SLOW_MS; the hedge's text comes first and wins.
    openai().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const events = await client.askStream('Where do albatrosses nest? (slow stream)');
    expect(deltaText(events)).toBe(ALBATROSS.secondaryAnswer);
    expect(events.some((event) => event.__typename === 'StreamNotice')).toBe(false);
    expect((events.at(-1) as AskCompleted).result).toMatchObject({
      __typename: 'Answer',
      text: ALBATROSS.secondaryAnswer,
      meta: { provider: 'anthropic', model: SECONDARY },
    });
    expect((await closedRequest(openai(), CHAT)).aborted).toBe(true);
  });

  it('a stream whose primary streams first: the hedge is aborted, and only the primary’s text is streamed', async () => {
    openai().faults.always({ kind: 'latency', ms: 200 }, { path: CHAT });
    anthropic().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: MESSAGES });
    const events = await client.askStream('Where do albatrosses nest? (hedged stream, primary first)');
    expect(deltaText(events)).toBe(PRIMARY_ANSWER);
    expect((events.at(-1) as AskCompleted).result).toMatchObject({ meta: { provider: 'openai' } });
    expect((await closedRequest(anthropic(), MESSAGES)).aborted).toBe(true);
  });

  it('a hedge that streams first and then fails mid-answer is not tried again: the walk moves on', async () => {
    openai().faults.always({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    anthropic().faults.always({ kind: 'stream-cut', afterChunks: 1 }, { path: MESSAGES });
    const events = await client.askStream('Where do albatrosses nest? (hedge cut mid-answer)');
    expect(events.find((event) => event.__typename === 'StreamNotice')).toMatchObject({ restart: true });
    expect((events.at(-1) as AskCompleted).result).toMatchObject({ __typename: 'DegradedAnswer' });
    expect(anthropic().requestCount(MESSAGES)).toBe(1);
    expect((await closedRequest(openai(), CHAT)).aborted).toBe(true);
  });

  it('a client that leaves mid-race: both requests are aborted, and no hedge is counted as won or lost', async () => {
    openai().faults.always({ kind: 'hang' }, { path: CHAT });
    anthropic().faults.always({ kind: 'hang' }, { path: MESSAGES });
    const before = await harness.metrics();
    const connection = openWsConnection(harness.wsUrl, { authorization: `Bearer ${await client.token()}` });
    try {
      const stream = connection.start(
        `subscription { askStream(input: { question: "Where do albatrosses nest? (left mid-race)" }) { __typename } }`,
      );
      // Both requests out: the hedge has started.
      await waitFor(() => (anthropic().requestCount(MESSAGES) === 1 ? true : undefined), 3_000, 'the hedge');
      stream.stop();
      expect((await closedRequest(openai(), CHAT)).aborted).toBe(true);
      expect((await closedRequest(anthropic(), MESSAGES)).aborted).toBe(true);
    } finally {
      await connection.dispose();
    }
    const after = await harness.metrics();
    const hedges = (outcome: string) =>
      after.value('ai_hedges_total', { task: 'answer', outcome }) -
      before.value('ai_hedges_total', { task: 'answer', outcome });
    expect(hedges('started')).toBe(1);
    expect(hedges('won') + hedges('lost')).toBe(0);
  });
});

describe('hedge: false on the route', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHedgingHarness(false);
  });
  afterAll(() => harness?.stop());

  it('a slow primary is waited for: no second request is sent', async () => {
    const { openai, anthropic } = harness.providers;
    openai.faults.always({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const result = await harness.as('no-hedge-co').summarize({ text: reportNo('no hedge'), maxWords: 40 });
    expect(member(result, 'Summary')).toMatchObject({ text: PRIMARY_SUMMARY, meta: { provider: 'openai' } });
    expect(anthropic.requestCount(MESSAGES)).toBe(0);
    expect(openai.requestCount(CHAT)).toBe(1);
  });
});
