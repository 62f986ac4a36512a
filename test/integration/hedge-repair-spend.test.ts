// A hedged primary whose first reply an output rail refused is dropped while its repair is in flight, the hedge
// having answered first. Each of its two attempts reserved against the tenant's spend cap and settles with what
// that attempt cost: the refused reply once (its own reservation), the aborted repair once (the second). The
// answer still reports, and the ledger records, everything paid; the cap's counters hold the same total.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { waitFor } from '../support/wait-for';
import { ledgerNanos, settledNanos } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
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

describe('a hedged primary dropped during its repair', () => {
  const tenant = `hedge-repair-${randomBytes(4).toString('hex')}`;
  let harness: Harness;
  let redis: Redis;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder: { openai: () => UNCITED, anthropic: () => SECONDARY_ANSWER },
      env: {
        REDIS_URL,
        ATTEMPT_TIMEOUT_MS: '5000',
        DEADLINE_MS: '8000',
        CACHE_TTL_ANSWER_SECONDS: '0',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({ tasks: { answer: { chain, hedge: { afterMs: 100 } } } }),
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [tenant]: { limits: { monthlyCapUsd: 10 } } } }),
      },
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  });

  afterAll(async () => {
    redis?.disconnect();
    await harness?.stop();
  });

  it('settles the rejected reply once against the spend cap: the limiter’s spend equals the ledger’s', async () => {
    const client = harness.as(tenant);
    const limiter = createRedisSpendLimiter(redis);
    const settled = () => settledNanos(limiter, tenant);
    const ledger = () => ledgerNanos(harness, tenant);
    expect((await client.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
    const before = { limiter: await settled(), ledger: await ledger() };
    expect(before.limiter).toBe(before.ledger);
    harness.providers.reset();

    // The primary's first reply comes at once (and is refused); its repair hangs past the hedge's delay.
    harness.providers.openai.faults
      .once({ kind: 'latency', ms: 0 }, { path: CHAT })
      .once({ kind: 'hang' }, { path: CHAT });
    const answer = member(await client.ask('Where do albatrosses nest?'), 'Answer');
    expect(answer).toMatchObject({ text: SECONDARY_ANSWER, meta: { provider: 'anthropic' } });
    const primaryRequests = await waitFor(
      () => {
        const requests = harness.providers.openai.requests.filter((request) => request.path === CHAT);
        return requests.length === 2 && requests[1]?.closedAt !== undefined ? requests : undefined;
      },
      5_000,
      'the primary’s repair request to close',
    );
    expect(JSON.stringify(primaryRequests[1]?.body)).toContain('Your previous reply could not be used');
    expect(primaryRequests[1]?.aborted).toBe(true);
    expect(harness.providers.anthropic.requestCount(MESSAGES)).toBe(1);

    const limiterSpent = (await settled()) - before.limiter;
    const ledgerSpent = (await ledger()) - before.ledger;
    // The answer reports all it paid for: the refused reply, the aborted repair's prompt, and the winner.
    expect(ledgerSpent).toBe(Math.round(answer.meta.costUsd * 1e9));
    expect(limiterSpent).toBe(ledgerSpent);
  });
});
