// Finding 2: an attempt that failed after streaming text was charged 0. The stream counted the failure as its
// own end, so nothing reported what the provider had received, though the provider bills the prompt and the
// text it streamed: a provider cut mid-answer, a 5xx after partial output, our own idle clock or cap. Here a
// priced primary is cut after a few deltas and a free secondary answers: the cut attempt's prompt and text
// settle against the tenant's cap, and the answer's costUsd (the walk's total) carries them, the ledger with it.
import { Redis } from 'ioredis';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { deltaText, member } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { spendOf, spentSince } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const PRIMARY = 'gpt-priced';
const SECONDARY = 'claude-free';
// $1 per million input tokens, $2 per million output: a nano-dollar or two a token.
const PRICES = {
  [`openai:${PRIMARY}`]: { inputPerMillion: 1, outputPerMillion: 2 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 0, outputPerMillion: 0 },
};
const SUMMARY_TEXT =
  'The ledger records marmalade shipments and every quokka crate is weighed twice before it leaves.';
const FILLER = Array.from({ length: 40 }, () => SUMMARY_TEXT).join(' ');
const TENANT = `cut-spend-${process.pid}`;

describe('finding 2: an attempt that fails after streaming text is charged what it received', () => {
  let harness: Harness;
  let redis: Redis;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder: () => SUMMARY_TEXT,
      env: {
        REDIS_URL,
        CACHE_TTL_SUMMARIZE_SECONDS: '0',
        CIRCUIT_CONSECUTIVE_FAILURES: '1000',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: {
            summarize: {
              chain: [
                { provider: 'openai', model: PRIMARY },
                { provider: 'anthropic', model: SECONDARY },
              ],
              hedge: false,
            },
          },
        }),
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [TENANT]: { limits: { monthlyCapUsd: 10 } } } }),
      },
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  });

  beforeEach(() => harness.providers.reset());

  afterAll(async () => {
    redis?.disconnect();
    await harness?.stop();
  });

  /** A summary stream whose priced primary is cut after three deltas: the free secondary's Summary, and the spend. */
  async function cutThenFallback() {
    const before = await spendOf(harness, redis, TENANT);
    harness.providers.openai.faults.once({ kind: 'stream-cut', afterChunks: 3 }, { path: CHAT });
    const events = await harness.as(TENANT).summarizeStream({ text: `${SUMMARY_TEXT} ${FILLER}` });
    const noticeAt = events.findIndex((event) => event.__typename === 'StreamNotice');
    expect(noticeAt).toBeGreaterThan(0);
    expect(events[noticeAt]).toMatchObject({ reason: 'PROVIDER_ERROR', restart: true });
    expect(deltaText(events.slice(0, noticeAt)).length).toBeGreaterThan(0);
    const last = events.at(-1);
    if (last?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
    const summary = member(last.result, 'Summary');
    expect(summary.meta.provider).toBe('anthropic');
    expect(harness.providers.anthropic.requestCount(MESSAGES)).toBe(1);
    return { summary, spent: await spentSince(harness, redis, TENANT, before) };
  }

  it('a priced primary cut mid-answer: its prompt and the text it streamed settle against the cap', async () => {
    const { spent } = await cutThenFallback();
    // The primary's prompt (about 1,000 tokens at a nano-dollar each) and its three deltas; the secondary is free.
    expect(spent.settled).toBeGreaterThan(1_000);
  });

  it('a free secondary answering after the cut: the answer’s costUsd carries the cut attempt, the ledger too', async () => {
    const { summary, spent } = await cutThenFallback();
    expect(spent.settled).toBeGreaterThan(1_000);
    // The secondary is free: the answer's cost is the cut attempt's, as settled, and the ledger holds it once.
    expect(summary.meta.costUsd).toBeGreaterThan(0);
    expect(Math.round(summary.meta.costUsd * 1e9)).toBe(spent.settled);
    expect(spent.ledger).toBe(spent.settled);
  });
});
