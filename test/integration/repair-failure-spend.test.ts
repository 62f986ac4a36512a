// A primary whose first reply an output rail refused, and whose repair then failed, so the next target answered.
// The refused reply was paid for and settled against the tenant's spend cap; the answer must report it, and the
// ledger record it, too. It was lost: a try that failed during its repair handed the walk no rejected reply
// (found while a hedged variant of this, hedge-repair-spend, failed whenever the hedge did not fire in time).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { ledgerNanos, settledNanos } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const PRIMARY = 'gpt-primary';
const SECONDARY = 'claude-secondary';
const chain = [
  { provider: 'openai', model: PRIMARY },
  { provider: 'anthropic', model: SECONDARY },
];
const PRICES = {
  [`openai:${PRIMARY}`]: { inputPerMillion: 1, outputPerMillion: 2 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 1, outputPerMillion: 2 },
};
const DOCUMENT = {
  id: 'albatross-guide',
  title: 'Albatross field guide',
  body:
    'Albatrosses nest on remote oceanic islands. They feed on squid and fish caught near the surface. ' +
    'An albatross can glide for hours without flapping its wings. Pairs stay together for many years.',
};
/** No citation marker: the format rail refuses it, with a repair note. */
const UNCITED = 'They nest on remote oceanic islands.';
const SECONDARY_ANSWER = 'Albatrosses nest on remote oceanic islands [1].';

describe('a primary whose repair fails', () => {
  const tenant = `repair-fails-${randomBytes(4).toString('hex')}`;
  let harness: Harness;
  let redis: Redis;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder: { openai: () => UNCITED, anthropic: () => SECONDARY_ANSWER },
      env: {
        REDIS_URL,
        CACHE_TTL_ANSWER_SECONDS: '0',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({ tasks: { answer: { chain, hedge: false } } }),
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [tenant]: { limits: { monthlyCapUsd: 10 } } } }),
      },
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  });

  afterAll(async () => {
    redis?.disconnect();
    await harness?.stop();
  });

  it('reports and records the refused reply it paid for: the limiter’s spend equals the ledger’s and the answer’s', async () => {
    const client = harness.as(tenant);
    const limiter = createRedisSpendLimiter(redis);
    const settled = () => settledNanos(limiter, tenant);
    const ledger = () => ledgerNanos(harness, tenant);
    expect((await client.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
    const before = { limiter: await settled(), ledger: await ledger() };
    harness.providers.reset();

    // The primary's first reply is refused (no citation); its repair is refused by the provider (a 400, not
    // retried); the secondary answers.
    harness.providers.openai.faults
      .once({ kind: 'latency', ms: 0 }, { path: CHAT })
      .once({ kind: 'status', status: 400 }, { path: CHAT });
    const answer = member(await client.ask('Where do albatrosses nest?'), 'Answer');
    expect(answer).toMatchObject({ text: SECONDARY_ANSWER, meta: { provider: 'anthropic' } });
    expect(harness.providers.openai.requests.filter((request) => request.path === CHAT)).toHaveLength(2);

    const limiterSpent = (await settled()) - before.limiter;
    const ledgerSpent = (await ledger()) - before.ledger;
    expect(limiterSpent).toBeGreaterThan(0);
    expect(ledgerSpent).toBe(Math.round(answer.meta.costUsd * 1e9));
    expect(ledgerSpent).toBe(limiterSpent);
  });
});
