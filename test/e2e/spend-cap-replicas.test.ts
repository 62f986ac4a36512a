// Issue 11: "two subgraph processes sharing one Redis, 200 concurrent requests from one tenant with a cap that
// fits 50 worst-case calls: settled spend never exceeds the cap, and the count let through is at most what
// fit"; "settling refunds: reserved totals return to zero after the calls; a killed process's reservation
// expires". The real entry point, as an operator starts it. Prices are input tokens only, which the fake
// provider counts exactly as the subgraph estimates them, so a call's real cost is its worst case and exactly
// 50 fit. Counted, never timed.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { PromptLibrary } from '../../subgraph/gateway/prompts/prompt-library';
import { promptTokens } from '../../subgraph/gateway/token-estimate';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { SpendLimiter } from '../../subgraph/limits/spend-limiter';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { limitsReplicas } from '../support/limits-replicas';
import { connectRedis, requirePostgres, requireRedis } from '../support/services';
import type { ChildEnv, SpawnedSubgraph } from '../support/spawn-subgraph';
import { gql } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { SUMMARIZE } from '../support/operations';
import type { SummarizeResult } from '../support/results';

jest.setTimeout(180_000);
requirePostgres();
requireRedis();

const FITTING = 50;
const REQUESTS = 200;
const MAX_WORDS = 40;
const MODEL = 'gpt-capped';
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
/** Every request's text has the same length (a three-digit note number): one worst case for all. */
const textNo = (i: number) => `${SUMMARY_TEXT} This is ledger note ${String(i).padStart(3, '0')}.`;
// $1 per million input tokens: 1,000 nano-dollars a token; output is free, so the worst case is exact.
const NANOS_PER_TOKEN = 1_000;
const PRICES = { [`openai:${MODEL}`]: { inputPerMillion: 1, outputPerMillion: 0 } };
const ROUTES = { tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } } };

/** The worst case of one request, as the gateway estimates it: the rendered prompt's tokens (output is free). */
function worstCaseNanos(): number {
  const prompt = new PromptLibrary(undefined).render('summarize', { text: textNo(0), maxWords: MAX_WORDS });
  return promptTokens(prompt) * NANOS_PER_TOKEN;
}

const replicas = limitsReplicas('caps');
const fakes: FakeProviders[] = [];
let redis: Redis;
let limiter: SpendLimiter;
let releaseHung: () => void = () => undefined;

beforeAll(async () => {
  redis = connectRedis();
  limiter = createRedisSpendLimiter(redis);
});

afterAll(async () => {
  releaseHung();
  await replicas.stopAll();
  await Promise.allSettled(fakes.map((fake) => fake.close()));
  redis?.disconnect();
});

function replica(providers: FakeProviders, env: ChildEnv): Promise<SpawnedSubgraph> {
  return replicas.start({
    // No request may be shed for the loop's lag either: every one of the burst must meet the cap.
    LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
    MODEL_PRICES_JSON: JSON.stringify(PRICES),
    GATEWAY_ROUTES_JSON: JSON.stringify(ROUTES),
    ...providers.env,
    ...env,
  });
}

/** Outstanding reservations, polled until none is left (a settle may still be on its way to Redis). */
async function outstandingOnceSettled(tenant: string, tries = 400): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const outstanding = await limiter.outstanding(tenant);
    if (outstanding === 0) return 0;
    await sleep(50);
  }
  return limiter.outstanding(tenant);
}

const summarize = (url: string, token: string, i: number) =>
  gql<{ summarize: SummarizeResult }>(url, SUMMARIZE, {
    token,
    variables: { input: { text: textNo(i), maxWords: MAX_WORDS } },
  });

test(`a cap fitting ${FITTING} worst-case calls over two processes lets at most ${FITTING} of ${REQUESTS} concurrent requests through, never over the cap, and reserves nothing after`, async () => {
  const providers = await startFakeProviders(['openai'], () => SUMMARY_TEXT);
  fakes.push(providers);
  const worst = worstCaseNanos();
  // Half a call of slack above 50: rounding the cap to dollars and back cannot take a fitting call away.
  const capNanos = FITTING * worst + Math.floor(worst / 2);
  const tenant = `caps-${randomBytes(4).toString('hex')}`;
  const policies = { tenants: { [tenant]: { limits: { monthlyCapUsd: capNanos / 1e9 } } } };
  const replicas = await Promise.all(
    [0, 1].map(() => replica(providers, { TENANT_POLICIES_JSON: JSON.stringify(policies) })),
  );
  const token = await tokenFor(tenant);
  const results = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const response = await summarize(replicas[i % 2]!.url, token, i);
      expect(response.body.errors).toBeUndefined();
      return response.body.data?.summarize;
    }),
  );
  const answered = results.filter((result) => result?.__typename === 'Summary');
  const overCap = results.filter((result) => result?.__typename === 'DegradedSummary');
  expect(answered.length).toBeGreaterThan(0);
  expect(answered.length).toBeLessThanOrEqual(FITTING);
  // Anything else (AIUnavailable) is named in the failure.
  const typenames = new Set(['Summary', 'DegradedSummary']);
  expect(results.filter((result) => !typenames.has(result?.__typename ?? ''))).toEqual([]);
  expect(answered.length + overCap.length).toBe(REQUESTS);
  for (const result of overCap) expect(result).toMatchObject({ reason: 'BUDGET_EXCEEDED' });
  expect(providers.requestCount('/v1/chat/completions')).toBeLessThanOrEqual(FITTING);

  expect(await outstandingOnceSettled(tenant)).toBe(0);
  const { monthNanos, dayNanos } = await limiter.spent(tenant);
  expect(monthNanos).toBeLessThanOrEqual(capNanos);
  expect(dayNanos).toBe(monthNanos);
  // Settled to the real cost of each answered call, which is its worst case here.
  expect(monthNanos).toBe(answered.length * worst);
  const reported = answered.reduce((sum, result) => sum + Math.round((result?.meta.costUsd ?? 0) * 1e9), 0);
  expect(monthNanos).toBe(reported);
});

test("a killed process's reservation lapses after SPEND_RESERVATION_TTL_MS and frees the tenant's room", async () => {
  // A provider that never answers (until the test ends): the call is in flight when its process is killed.
  const hung = new Promise<string>((resolve) => (releaseHung = () => resolve(SUMMARY_TEXT)));
  const providers = await startFakeProviders(['openai'], () => hung);
  fakes.push(providers);
  const tenant = `caps-killed-${randomBytes(4).toString('hex')}`;
  const policies = { tenants: { [tenant]: { limits: { monthlyCapUsd: 1 } } } };
  const doomed = await replica(providers, {
    TENANT_POLICIES_JSON: JSON.stringify(policies),
    SPEND_RESERVATION_TTL_MS: '2000',
    DEADLINE_MS: '60000',
  });
  const token = await tokenFor(tenant);
  const inFlight = summarize(doomed.url, token, 1).catch(() => null);
  let reserved = 0;
  for (let i = 0; i < 600 && reserved === 0; i++) {
    reserved = await limiter.outstanding(tenant);
    if (reserved === 0) await sleep(50);
  }
  expect(reserved).toBe(worstCaseNanos());
  await doomed.kill();
  await inFlight;
  expect(await outstandingOnceSettled(tenant)).toBe(0);
  expect((await limiter.spent(tenant)).monthNanos).toBe(0);
});
