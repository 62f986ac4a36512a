// A Redis that hangs (it holds commands and answers none: a stopped process, a stalled network) must not push a
// request past its deadline. The completion-cache read gets a short budget (CACHE_LOOKUP_TIMEOUT_MS, less when
// the deadline has less left) and is a miss past it; the cache write and the usage-ledger write hold the answer
// only briefly and go on without it; the limits follow LIMITS_ON_REDIS_FAILURE within LIMITS_TIMEOUT_MS. A
// ledger write Redis did not answer is logged and counted (ai_usage_ledger_writes_unconfirmed_total), never
// dropped silently.
// The old code waited out ioredis's 500 ms command timeout on the cache read, the cache write and the ledger
// write: about 2.5 s per summarize under a 1.5 s deadline.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { SUMMARIZE, USAGE } from '../support/operations';
import type { SummarizeResult, TenantUsage } from '../support/results';
import { member } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const DEADLINE_MS = 1_500;
/** What a request may take past its deadline: GraphQL around the model call, and a loaded machine. */
const MARGIN_MS = 300;
const SUMMARY = 'Revenue grew in every region, costs fell, and the board approved a dividend.';
const UNCONFIRMED = 'ai_usage_ledger_writes_unconfirmed_total';

let proxy: StallingProxy;
let harness: Harness;
const tenant = `hung-${randomBytes(4).toString('hex')}`;
const textNo = (i: number) => `The quarterly report number ${i} shows revenue grew strongly in every region.`;

beforeAll(async () => {
  const { hostname, port } = new URL(REDIS_URL);
  proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
  harness = await startHarness({
    providers: ['openai'],
    responder: () => SUMMARY,
    env: {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      DEADLINE_MS: String(DEADLINE_MS),
      LIMITS_ON_REDIS_FAILURE: 'open',
      TENANT_POLICIES_JSON: JSON.stringify({
        default: { limits: { monthlyCapUsd: 1_000, requestsPerMinute: 1_000, tokensPerMinute: 10_000_000 } },
      }),
    },
  });
});

afterAll(async () => {
  await harness?.stop();
  await proxy?.close();
});

async function timedSummarize(i: number): Promise<{ ms: number; result: SummarizeResult | undefined }> {
  const started = performance.now();
  const response = await harness
    .as(tenant)
    .request<{ summarize: SummarizeResult }>(SUMMARIZE, { input: { text: textNo(i) } });
  const ms = performance.now() - started;
  expect(response.body.errors).toBeUndefined();
  return { ms, result: response.body.data?.summarize };
}

test('with Redis answering, the ledger write is waited for: usage read right after shows the request', async () => {
  member((await timedSummarize(0)).result, 'Summary');
  expect((await harness.as(tenant).usage()).requestsToday).toBe(1);
  // A cache hit now: the write of the answer was waited for too.
  expect(member((await timedSummarize(0)).result, 'Summary').meta).toMatchObject({ cached: true });
});

test('with Redis hung, each summarize answers within its deadline, and a ledger write Redis did not answer is logged and counted', async () => {
  const unconfirmedBefore = (await harness.metrics()).value(UNCONFIRMED, { feature: 'summarize' });
  proxy.stall();
  const answers: { ms: number; typename: string | undefined }[] = [];
  try {
    for (const i of [1, 2, 3]) {
      const { ms, result } = await timedSummarize(i);
      answers.push({ ms: Math.round(ms), typename: result?.__typename });
    }
  } finally {
    // The held commands are dropped with their connections, as a failover's reset would; ioredis reconnects.
    proxy.cut();
  }
  expect(answers.filter(({ ms }) => ms >= DEADLINE_MS + MARGIN_MS)).toEqual([]);
  // LIMITS_ON_REDIS_FAILURE=open: each served under this process's own limits.
  expect(answers.map(({ typename }) => typename)).toEqual(['Summary', 'Summary', 'Summary']);
  // Each request's ledger write went on without it. One whose command timed out is logged and counted (Redis
  // may still apply it: ioredis sends what a cut connection left unanswered once more on the next); one held
  // when the connection was cut is sent again, and kept. None is dropped silently, none is counted twice.
  const settled = Date.now() + 5_000;
  let kept = 0;
  let unconfirmed = 0;
  while (Date.now() < settled) {
    // Redis may still be reconnecting: a failed read is read again.
    const usage = await harness.as(tenant).request<{ usage: TenantUsage }>(USAGE);
    kept = (usage.body.data?.usage.requestsToday ?? 2) - 2;
    unconfirmed = (await harness.metrics()).value(UNCONFIRMED, { feature: 'summarize' }) - unconfirmedBefore;
    if (kept === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(kept).toBeLessThanOrEqual(3);
  expect(kept + unconfirmed).toBeGreaterThanOrEqual(3);
  expect(unconfirmed).toBeGreaterThan(0);
});
