// Finding 2: a paid failure served as a stale cache hit, or dropped on an overload refusal. A walk whose replies
// the output rails refused fails carrying what they cost; when a stale entry within its grace was served in its
// place, the answer said `cached: true, costUsd: 0`, and when the next target's attempt ended in this replica's
// own overload, the refusal (AIUnavailable RATE_LIMITED) carried nothing. Either way the cap kept the cost and
// the ledger never saw it. Here the ledger must hold exactly what the cap settled.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatRequest } from '../support/providers';
import { INVENTED_SUMMARY, QUARTERLY_REPORT, REFUSED_MODEL } from '../support/refused-replies';
import { member } from '../support/results';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const SECONDARY = 'claude-stalled';
const PRICES = {
  [`openai:${REFUSED_MODEL}`]: { inputPerMillion: 3, outputPerMillion: 7 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 2, outputPerMillion: 5 },
};
const STALE_TENANT = `stale-paid-${process.pid}`;
const OVERLOAD_TENANT = `overload-paid-${process.pid}`;
const FAITHFUL = 'Revenue grew while costs stayed flat across every region.';
const DOCUMENT = {
  id: 'glacier',
  title: 'Glacier survey',
  body: 'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine.',
};
/** No citation marker: the format rail refuses it and asks for a repair, which is refused the same way. */
const UNCITED = 'The glacier retreated forty metres.';
const CITED = 'The glacier retreated forty metres last summer [1].';
/** Longer than the attempt timeout: the secondary's answer is ready but unread, and the stall explains it. */
const BLOCK_MS = 900;

const isSummary = (request: ChatRequest) => (request.system ?? '').toLowerCase().includes('summar');

let summaryReply = FAITHFUL;

describe('finding 2: a failed walk’s paid replies, served stale or refused', () => {
  const { harness, spend } = useSpendHarness({
    providers: ['openai', 'anthropic'],
    responder: {
      openai: (request) => (isSummary(request) ? summaryReply : UNCITED),
      // The provider answers in 300 ms; 50 ms in, this process's loop is blocked past the attempt timeout.
      anthropic: async () => {
        setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS), 50);
        await sleep(300);
        return CITED;
      },
    },
    env: {
      ATTEMPT_TIMEOUT_MS: '600',
      RETRY_MAX_ATTEMPTS: '1',
      CIRCUIT_CONSECUTIVE_FAILURES: '1000',
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
      CACHE_TTL_SUMMARIZE_SECONDS: '1',
      CACHE_TTL_ANSWER_SECONDS: '0',
    },
    prices: PRICES,
    routes: {
      tasks: {
        summarize: { chain: [{ provider: 'openai', model: REFUSED_MODEL }] },
        answer: {
          chain: [
            { provider: 'openai', model: REFUSED_MODEL },
            { provider: 'anthropic', model: SECONDARY },
          ],
          hedge: false,
        },
      },
    },
    cappedTenants: [STALE_TENANT, OVERLOAD_TENANT],
  });

  beforeEach(() => harness.providers.reset());

  it('a stale summary served after a refused reply: the answer reports, and the ledger keeps, its cost', async () => {
    const tenant = harness.as(STALE_TENANT);
    summaryReply = FAITHFUL;
    const fresh = member(await tenant.summarize({ text: QUARTERLY_REPORT }), 'Summary');
    expect(fresh).toMatchObject({ text: FAITHFUL, meta: { cached: false } });
    const before = await spend(STALE_TENANT);
    expect(before.ledger).toBe(before.settled);

    await sleep(1_200);
    harness.providers.reset();
    summaryReply = INVENTED_SUMMARY;
    const stale = member(await tenant.summarize({ text: QUARTERLY_REPORT }), 'Summary');
    // The entry served is the stale one, after a walk that paid for a reply the summary rail refused.
    expect(stale).toMatchObject({ text: FAITHFUL, meta: { cached: true } });
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);

    const after = await spend(STALE_TENANT);
    const spent = { settled: after.settled - before.settled, ledger: after.ledger - before.ledger };
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
    expect(Math.round(stale.meta.costUsd * 1e9)).toBe(spent.settled);
    const usage = await tenant.usage();
    expect(usage.byFeature).toEqual([
      expect.objectContaining({ feature: 'summarize', requests: 2, cacheHits: 1 }),
    ]);
  });

  it('an overload refusal after a refused reply: the ledger keeps the refused replies’ cost', async () => {
    const tenant = harness.as(OVERLOAD_TENANT);
    expect((await tenant.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
    const before = await spend(OVERLOAD_TENANT);
    expect(before.ledger).toBe(before.settled);
    harness.providers.reset();

    const refused = await tenant.ask('How far did the glacier retreat?');
    expect(refused).toMatchObject({
      __typename: 'AIUnavailable',
      reason: 'RATE_LIMITED',
      message: expect.stringContaining('overloaded'),
    });
    // The primary's reply and its repair, both refused by the format rail; then the stalled secondary.
    expect(harness.providers.openai.requestCount(CHAT)).toBe(2);
    expect(harness.providers.anthropic.requestCount(MESSAGES)).toBe(1);

    const after = await spend(OVERLOAD_TENANT);
    const spent = { settled: after.settled - before.settled, ledger: after.ledger - before.ledger };
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
  });
});
