// Finding: a completion the provider answered (200) and billed, but that the gateway rejected as malformed (empty
// content, a refusal with content null, truncated JSON, Anthropic's empty text), was charged 0, and so were its
// retries: the adapters threw without the usage the reply reported, so only the final successful reply reached
// the spend cap and the ledger, and a walk whose every try was rejected cost nothing. Likewise a reply that came
// without any usage (a self-hosted OpenAI-compatible server ignoring stream_options.include_usage) cost 0.
// Here every billed reply must settle against the tenant's cap and reach its ledger and the cost metric alike:
// what the provider reported, else the prompt and text estimated (four characters a token, as the fakes count).
import type { RecordedRequest } from '../support/providers';
import { estimateTokens } from '../support/providers';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import type { Spend } from '../support/spend-ledger';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const OPENAI_MODEL = 'gpt-sum';
const ANTHROPIC_MODEL = 'claude-sum';
// $1,000 per million tokens either way: one token is a million nano-dollars, so amounts read as token counts.
const NANOS_PER_TOKEN = 1_000_000;
const PRICE = { inputPerMillion: 1000, outputPerMillion: 1000 };
const TEXT =
  'Boats moor at the east pier. The harbour master collects the mooring fee every morning. '.repeat(3);
const SUMMARY = 'Boats moor at the east pier and pay a fee.';
const ENV = {
  ...FAST_RETRIES,
  ...CIRCUITS_STAY_CLOSED,
  RETRY_MAX_ATTEMPTS: '3',
  CACHE_TTL_SUMMARIZE_SECONDS: '0',
};

/** Replies the fakes give in turn, then SUMMARY: set by each test. */
let replies: string[] = [];
const responder = () => replies.shift() ?? SUMMARY;

/** The prompt's tokens as the fakes count them in their usage: every message's text (and Anthropic's system). */
function promptTokens(request: RecordedRequest): number {
  const body = request.body as { system?: string; messages: { content: string }[] };
  return Math.max(1, estimateTokens((body.system ?? '') + body.messages.map((m) => m.content).join('')));
}

/** What a request answered with `text` was billed, at NANOS_PER_TOKEN. */
const billedNanos = (request: RecordedRequest, text: string): number =>
  (promptTokens(request) + estimateTokens(text)) * NANOS_PER_TOKEN;

/** The cost metric's total across features, in nano-dollars (a float counter of dollars: read to the nano). */
async function metricNanos(harness: Harness): Promise<number> {
  return Math.round((await harness.metrics()).value('ai_cost_usd_total') * 1e9);
}

/** What `run` spent: settled against the cap, in the ledger, and counted by the cost metric. */
async function spending(
  harness: Harness,
  spend: (tenant: string) => Promise<Spend>,
  spentSince: (tenant: string, before: Spend) => Promise<Spend>,
  tenant: string,
  run: () => Promise<void>,
): Promise<Spend & { metric: number }> {
  const before = await spend(tenant);
  const metricBefore = await metricNanos(harness);
  await run();
  const delta = await spentSince(tenant, before);
  return { ...delta, metric: (await metricNanos(harness)) - metricBefore };
}

/** An OpenAI chat completion that refuses: content null, a `refusal`, and the usage the provider billed. */
const REFUSAL = {
  kind: 'status' as const,
  status: 200,
  body: {
    id: 'chatcmpl-refused',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: `${OPENAI_MODEL}-2024-07-18`,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: 'I cannot help with that.', annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 },
    system_fingerprint: null,
  },
};
const REFUSAL_NANOS = 127 * NANOS_PER_TOKEN;

describe('A reply the provider billed but the gateway rejected is charged 0, and so are its retries', () => {
  describe('OpenAI', () => {
    const tenants = ['empty-then-ok', 'all-rejected', 'stream-no-usage', 'complete-no-usage'].map(
      (name) => `rejected-${name}-${process.pid}`,
    );
    const [EMPTY_THEN_OK, ALL_REJECTED, STREAM_NO_USAGE, COMPLETE_NO_USAGE] = tenants as [
      string,
      string,
      string,
      string,
    ];
    const { harness, spend, spentSince } = useSpendHarness({
      providers: ['openai'],
      responder,
      env: ENV,
      prices: { [`openai:${OPENAI_MODEL}`]: PRICE },
      routes: {
        tasks: { summarize: { chain: [{ provider: 'openai', model: OPENAI_MODEL }], hedge: false } },
      },
      cappedTenants: tenants,
    });
    const chats = () => harness.providers.openai.requests.filter((request) => request.path === CHAT);

    beforeEach(() => {
      replies = [];
      harness.providers.reset();
    });

    it('empty content, then an answer on the retry: both replies are charged', async () => {
      replies = [''];
      const spent = await spending(harness, spend, spentSince, EMPTY_THEN_OK, async () => {
        const result = await harness.as(EMPTY_THEN_OK).summarize({ text: TEXT });
        expect(member(result, 'Summary').text).toBe(SUMMARY);
      });
      const [empty, answered] = chats();
      if (!empty || !answered || chats().length !== 2) throw new Error('expected two chat requests');
      const singleSuccess = billedNanos(answered, SUMMARY);
      expect(spent.ledger).toBe(spent.settled);
      expect(spent.metric).toBeCloseTo(spent.ledger, -1);
      expect(spent.ledger).toBeGreaterThan(singleSuccess);
      expect(spent.ledger).toBe(billedNanos(empty, '') + singleSuccess);
    });

    it('every try rejected (a refusal, truncated JSON, empty content): the walk is charged all three', async () => {
      replies = ['', '', ''];
      // The fake serves its queued faults first: the refusal, then the truncated body; the third try is empty.
      harness.providers.openai.faults
        .once(REFUSAL, { path: CHAT })
        .once({ kind: 'malformed-json' }, { path: CHAT });
      const spent = await spending(harness, spend, spentSince, ALL_REJECTED, async () => {
        const result = await harness.as(ALL_REJECTED).summarize({ text: TEXT });
        // The typed fallback: an extractive summary, and what the rejected replies cost.
        expect(member(result, 'DegradedSummary').meta.costUsd).toBeGreaterThan(0);
      });
      const [refused, truncated, empty] = chats();
      if (!refused || !truncated || !empty || chats().length !== 3)
        throw new Error('expected three chat requests');
      // A body that would not parse names no usage: its prompt is estimated, as the fake counts it.
      const expected = REFUSAL_NANOS + billedNanos(truncated, '') + billedNanos(empty, '');
      expect(spent.ledger).toBe(spent.settled);
      expect(spent.metric).toBeCloseTo(spent.ledger, -1);
      expect(spent.ledger).toBeGreaterThan(billedNanos(empty, SUMMARY));
      expect(spent.ledger).toBe(expected);
    });

    it('a stream that ends without a usage chunk is charged its prompt and text, not 0', async () => {
      harness.providers.openai.faults.once({ kind: 'no-usage' }, { path: CHAT });
      const spent = await spending(harness, spend, spentSince, STREAM_NO_USAGE, async () => {
        const events = await harness.as(STREAM_NO_USAGE).summarizeStream({ text: TEXT });
        const last = events.at(-1);
        if (last?.__typename !== 'SummarizeCompleted') throw new Error('expected SummarizeCompleted');
        expect(member(last.result, 'Summary').text).toBe(SUMMARY);
      });
      const [streamed] = chats();
      if (!streamed || chats().length !== 1) throw new Error('expected one chat request');
      expect((streamed.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
      expect(spent.ledger).toBe(spent.settled);
      expect(spent.metric).toBeCloseTo(spent.ledger, -1);
      expect(spent.ledger).toBe(billedNanos(streamed, SUMMARY));
    });

    it('a whole reply without `usage` is charged its prompt and text, not 0', async () => {
      harness.providers.openai.faults.once({ kind: 'no-usage' }, { path: CHAT });
      const spent = await spending(harness, spend, spentSince, COMPLETE_NO_USAGE, async () => {
        const result = await harness.as(COMPLETE_NO_USAGE).summarize({ text: TEXT });
        expect(member(result, 'Summary').text).toBe(SUMMARY);
      });
      const [answered] = chats();
      if (!answered || chats().length !== 1) throw new Error('expected one chat request');
      expect(spent.ledger).toBe(spent.settled);
      expect(spent.metric).toBeCloseTo(spent.ledger, -1);
      expect(spent.ledger).toBe(billedNanos(answered, SUMMARY));
    });
  });

  describe('Anthropic', () => {
    const TENANT = `rejected-anthropic-${process.pid}`;
    const { harness, spend, spentSince } = useSpendHarness({
      providers: ['anthropic'],
      responder,
      env: ENV,
      prices: { [`anthropic:${ANTHROPIC_MODEL}`]: PRICE },
      routes: {
        tasks: { summarize: { chain: [{ provider: 'anthropic', model: ANTHROPIC_MODEL }], hedge: false } },
      },
      cappedTenants: [TENANT],
    });

    beforeEach(() => {
      replies = [];
      harness.providers.reset();
    });

    it('empty text, then an answer on the retry: both replies are charged', async () => {
      replies = [''];
      const spent = await spending(harness, spend, spentSince, TENANT, async () => {
        const result = await harness.as(TENANT).summarize({ text: TEXT });
        expect(member(result, 'Summary').text).toBe(SUMMARY);
      });
      const calls = harness.providers.anthropic.requests.filter((request) => request.path === MESSAGES);
      const [empty, answered] = calls;
      if (!empty || !answered || calls.length !== 2) throw new Error('expected two messages requests');
      const singleSuccess = billedNanos(answered, SUMMARY);
      expect(spent.ledger).toBe(spent.settled);
      expect(spent.metric).toBeCloseTo(spent.ledger, -1);
      expect(spent.ledger).toBeGreaterThan(singleSuccess);
      expect(spent.ledger).toBe(billedNanos(empty, '') + singleSuccess);
    });
  });
});
