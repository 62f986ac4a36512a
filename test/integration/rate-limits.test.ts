// A tenant's rate limits through GraphQL (issue 11): limits.requestsPerMinute counts the requests that reach
// the model path; over it, ask, summarize and both streams answer AIUnavailable RATE_LIMITED with a
// retry-after and a message naming the limit, never a GraphQL error and never the floor; a cache hit counts
// for nothing; tokensPerMinute counts an estimate settled to real usage after the call. With Redis stopped
// mid-test the service keeps answering as LIMITS_ON_REDIS_FAILURE says: closed -> the floor with
// LIMITS_UNAVAILABLE, open -> answered. Limits are small and admissions counted: nothing here is timed.
import { randomBytes } from 'node:crypto';
import type { ChatRequest } from '../support/providers';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import type { AskResult, SummarizeResult } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';

jest.setTimeout(90_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
const ANSWER_TEXT = 'Every quokka crate is weighed twice before the marmalade leaves the harbour [1].';
const DOC = {
  id: 'ledger',
  title: 'Quokka ledger',
  body: 'The quokka ledger records every marmalade shipment. Each quokka crate is weighed twice before the marmalade leaves the harbour.',
};
const run = randomBytes(4).toString('hex');
let n = 0;
const tenant = (name: string) => `${name}-${run}-${(n += 1)}`;
/** A text of its own (a cache miss) that the fixed summary is faithful to. */
const textNo = (i: number) => `${SUMMARY_TEXT} This is ledger note ${i}.`;

let responseDelayMs = 0;
async function responder(request: ChatRequest): Promise<string> {
  if (responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, responseDelayMs));
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return user.includes('Question:') ? ANSWER_TEXT : SUMMARY_TEXT;
}

const RATE_LIMITED = /^The tenant's limit of 3 requests per minute is reached; retry in \d+ s\.$/;

function expectRateLimited(result: SummarizeResult | AskResult | undefined): void {
  const refused = member(result, 'AIUnavailable');
  expect(refused.reason).toBe('RATE_LIMITED');
  expect(refused.message).toMatch(RATE_LIMITED);
  expect(refused.retryAfterSeconds).toBeGreaterThan(0);
  expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
}

describe('tenant rate limits through GraphQL', () => {
  let harness: Harness;
  const tokenTenants = [tenant('tokens'), tenant('tokens')] as const;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder,
      env: {
        TENANT_POLICIES_JSON: JSON.stringify({
          default: { limits: { requestsPerMinute: 3 } },
          tenants: Object.fromEntries(
            tokenTenants.map((id) => [id, { limits: { requestsPerMinute: 100, tokensPerMinute: 1_000 } }]),
          ),
        }),
      },
    });
  });

  afterAll(() => harness?.stop());
  beforeEach(() => {
    responseDelayMs = 0;
    harness.providers.reset();
  });

  test('summarize: N per minute are answered, the next is AIUnavailable RATE_LIMITED, and a cache hit does not count', async () => {
    const client = harness.as(tenant('summarize'));
    for (const i of [1, 2, 3]) member(await client.summarize({ text: textNo(i) }), 'Summary');
    // Over the limit, the same text as before is still served: from the cache, which counts for nothing.
    const cached = member(await client.summarize({ text: textNo(1) }), 'Summary');
    expect(cached.meta.cached).toBe(true);
    expectRateLimited(await client.summarize({ text: textNo(4) }));
    expect(harness.providers.requestCount(CHAT)).toBe(3);
  });

  test('ask and askStream: over the limit both answer AIUnavailable RATE_LIMITED, and no model is called', async () => {
    const client = harness.as(tenant('ask'));
    await client.ingest(DOC);
    for (const i of [1, 2, 3]) {
      const answer = await client.ask(`How is each quokka crate weighed, case ${i}?`);
      expect(answer.__typename).not.toBe('AIUnavailable');
    }
    const calls = harness.providers.requestCount(CHAT);
    expectRateLimited(await client.ask('How is each quokka crate weighed, case 4?'));
    const events = await client.askStream('How is each quokka crate weighed, case 5?');
    expect(events).toHaveLength(1);
    const [completed] = events;
    if (completed?.__typename !== 'AskCompleted')
      throw new Error(`expected AskCompleted, got ${completed?.__typename}`);
    expectRateLimited(completed.result);
    expect(harness.providers.requestCount(CHAT)).toBe(calls);
  });

  test('summarizeStream counts against the same limit as summarize', async () => {
    const client = harness.as(tenant('stream'));
    const [first] = await client.summarizeStream({ text: textNo(11) }).then((events) => events.slice(-1));
    if (first?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
    member(first.result, 'Summary');
    for (const i of [12, 13]) member(await client.summarize({ text: textNo(i) }), 'Summary');
    const events = await client.summarizeStream({ text: textNo(14) });
    const last = events[events.length - 1];
    if (last?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
    expectRateLimited(last.result);
  });

  // Each summarize here is estimated at 705 tokens (its prompt / 4 + the prompt's 600 output tokens) and uses
  // about 130 (the fake reports its prompt / 4 and its reply / 4): two estimates do not fit under 1,000.
  test('tokens per minute: each call is settled to its real usage, so calls estimated near the limit pass one after another', async () => {
    const client = harness.as(tokenTenants[0]);
    for (const i of [21, 22, 23]) member(await client.summarize({ text: textNo(i) }), 'Summary');
  });

  test('tokens per minute: of two calls at once, the second does not fit beside the first one’s estimate', async () => {
    const client = harness.as(tokenTenants[1]);
    // The first call holds its estimate until its reply: long enough for the second to be checked meanwhile.
    responseDelayMs = 2_000;
    const results = await Promise.all([25, 26].map((i) => client.summarize({ text: textNo(i) })));
    const refused = results.filter((result) => result.__typename === 'AIUnavailable');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      reason: 'RATE_LIMITED',
      message: expect.stringMatching(
        /^The tenant's limit of 1000 model tokens per minute is reached; retry in \d+ s\.$/,
      ) as string,
    });
  });
});

describe.each(['closed', 'open'] as const)('Redis stopped mid-test, LIMITS_ON_REDIS_FAILURE=%s', (policy) => {
  let harness: Harness;
  let proxy: StallingProxy;

  beforeAll(async () => {
    const { hostname, port } = new URL(REDIS_URL);
    proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
    harness = await startHarness({
      providers: ['openai'],
      responder,
      env: {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        LIMITS_ON_REDIS_FAILURE: policy,
        // Generous, so the check before the stop passes on a loaded machine; a stopped Redis fails at once.
        LIMITS_TIMEOUT_MS: '2000',
        TENANT_POLICIES_JSON: JSON.stringify({ default: { limits: { requestsPerMinute: 3 } } }),
      },
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await proxy?.close();
  });

  test(
    policy === 'closed'
      ? 'the service answers with the floor, reason LIMITS_UNAVAILABLE, and counts it'
      : 'the service answers from the model, under a per-process limit, and counts it',
    async () => {
      const client = harness.as(tenant(`redis-${policy}`));
      member(await client.summarize({ text: textNo(31) }), 'Summary');
      await proxy.close();
      const during = await client.summarize({ text: textNo(32) });
      if (policy === 'closed') {
        expect(member(during, 'DegradedSummary').reason).toBe('LIMITS_UNAVAILABLE');
      } else {
        member(during, 'Summary');
      }
      const metrics = await harness.metrics();
      expect(metrics.value('ai_limits_unavailable_total', { policy })).toBeGreaterThanOrEqual(1);
    },
  );
});
