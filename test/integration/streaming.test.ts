// askStream and summarizeStream over graphql-ws against fake providers: deltas that add up to the model's
// text, a StreamNotice whenever the path changes (restart: true once text has flowed), the final result as
// the same union member the query would return, never a GraphQL error, an unsubscribe that closes the
// provider request, and a bad input that ends the subscription with BAD_USER_INPUT before any provider call.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { ChatRequest, RecordedRequest } from '../support/providers';
import { startHarness } from '../support/harness';
import type { Harness, TenantClient } from '../support/harness';
import { ASK_STREAM } from '../support/operations';
import { deltaText, member } from '../support/results';
import type { AskStreamEvent } from '../support/results';
import { requirePostgres } from '../support/services';
import { waitUntil } from '../support/wait-for';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

// Grounded in the passages it cites ([1] the ledger, [2] the crates), so the rails pass it as written.
const ANSWER_TEXT =
  'Every quokka crate is weighed twice before the marmalade leaves the harbour [1]. ' +
  'Quokka crates are stacked three high in the harbour warehouse [2].';
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
// About 30 words, each its own delta, every sentence grounded in the ledger passage.
const LONG_ANSWER =
  'The quokka ledger records every marmalade shipment [1]. ' +
  'Each quokka crate is weighed twice before the marmalade leaves the harbour [1]. ' +
  'The ledger records every shipment of marmalade [1].';

// A marker naming no passage: the final Answer drops it (and says so with a notice), while the streamed
// deltas are the provider's text as sent.
const ANSWER_WITH_UNKNOWN_MARKER = ANSWER_TEXT.replace(' [2].', ' [2], as passage [7] does not show.');
const CITED_ANSWER_TEXT = ANSWER_WITH_UNKNOWN_MARKER.replace(' [7]', '');
let answerText = ANSWER_TEXT;
function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return user.includes('Question:') ? answerText : SUMMARY_TEXT;
}

type AskStreamData = { askStream: AskStreamEvent };

const QUESTION = 'How is each quokka crate weighed for the marmalade ledger?';
const DOCS = [
  {
    id: 'ledger',
    title: 'Quokka ledger',
    body: 'The quokka ledger records every marmalade shipment. Each quokka crate is weighed twice before the marmalade leaves the harbour.',
  },
  {
    id: 'crates',
    title: 'Crate handling',
    body: 'Quokka crates are stacked three high in the harbour warehouse and checked against the ledger.',
  },
];

const isType =
  (typename: AskStreamEvent['__typename']) =>
  (event: AskStreamEvent | undefined): boolean =>
    event?.__typename === typename;

describe('streamed answers and summaries over graphql-ws', () => {
  let harness: Harness;
  let client: TenantClient;
  const openai = () => harness.providers.openai;
  const anthropic = () => harness.providers.anthropic;

  /** How many ask streams the client abandoned, from the subgraph's own Prometheus counter. */
  const abandonedCount = async () =>
    (await harness.metrics()).value('ai_feature_requests_total', { feature: 'ask', outcome: 'abandoned' });

  const askUsage = async (): Promise<{ requests: number; fallbacks: number }> => {
    const ask = (await client.usage()).byFeature.find((entry) => entry.feature === 'ask');
    return { requests: ask?.requests ?? 0, fallbacks: ask?.fallbacks ?? 0 };
  };

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder,
      env: {
        // Long enough that only an unsubscribe, never the deadline, can end the slow-drip stream early.
        DEADLINE_MS: '6000',
        ATTEMPT_TIMEOUT_MS: '400',
        RETRY_BASE_DELAY_MS: '10',
        CIRCUIT_CONSECUTIVE_FAILURES: '1000',
        CIRCUIT_FAILURE_RATE: '1',
      },
    });
    client = harness.as(`stream-${randomBytes(4).toString('hex')}`);
    for (const input of DOCS) await client.ingest(input);
  });

  beforeEach(() => {
    answerText = ANSWER_TEXT;
    harness.providers.reset();
  });

  afterAll(() => harness?.stop());

  it('streams deltas that add up to the provider text, then AskCompleted with a cited Answer', async () => {
    const events = await client.askStream(QUESTION);
    const deltas = events.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every(isType('AnswerDelta'))).toBe(true);
    expect(deltas.map((event) => member(event, 'AnswerDelta').index)).toEqual(deltas.map((_, i) => i));
    expect(deltaText(deltas)).toBe(ANSWER_TEXT);

    const { result } = member(events.at(-1), 'AskCompleted');
    expect(result).toMatchObject({
      __typename: 'Answer',
      text: ANSWER_TEXT,
      meta: { provider: 'openai', model: 'gpt-4.1-mini', promptVersion: 'answer.v2', cached: false },
    });
    // [1] and [2] cite the two retrieved passages.
    const cited = member(result, 'Answer').citations;
    expect(cited.map((citation) => citation.documentId).sort()).toEqual(['crates', 'ledger']);
    expect(openai().requestCount(CHAT)).toBe(1);
    expect(anthropic().requestCount(MESSAGES)).toBe(0);
  });

  it('drops a marker naming no passage: the deltas as sent, a restart notice, then the Answer without it', async () => {
    answerText = ANSWER_WITH_UNKNOWN_MARKER;
    const events = await client.askStream(QUESTION);
    const deltas = events.slice(0, -2);
    expect(deltas.every(isType('AnswerDelta'))).toBe(true);
    expect(deltaText(deltas)).toBe(ANSWER_WITH_UNKNOWN_MARKER);
    expect(events.at(-2)).toMatchObject({
      __typename: 'StreamNotice',
      reason: 'GUARDRAIL_REJECTED',
      restart: true,
    });
    const { result } = member(events.at(-1), 'AskCompleted');
    expect(result).toMatchObject({
      __typename: 'Answer',
      text: CITED_ANSWER_TEXT,
      meta: { provider: 'openai' },
    });
    // [7] is outside the retrieved passages and cites nothing.
    const cited = member(result, 'Answer').citations;
    expect(cited.map((citation) => citation.documentId).sort()).toEqual(['crates', 'ledger']);
  });

  it('restarts on the secondary with a StreamNotice when the primary stream is cut mid-answer', async () => {
    openai().faults.once({ kind: 'stream-cut', afterChunks: 2 });
    const events = await client.askStream(QUESTION);
    const noticeAt = events.findIndex(isType('StreamNotice'));
    expect(noticeAt).toBeGreaterThan(0);
    const before = events.slice(0, noticeAt);
    const after = events.slice(noticeAt + 1, -1);

    // Some of the primary's text arrived, and only the start of it.
    expect(before.every(isType('AnswerDelta'))).toBe(true);
    expect(ANSWER_TEXT.startsWith(deltaText(before))).toBe(true);
    expect(deltaText(before).length).toBeLessThan(ANSWER_TEXT.length);
    expect(events[noticeAt]).toMatchObject({ reason: 'PROVIDER_ERROR', restart: true });
    expect(member(events[noticeAt], 'StreamNotice').message).toEqual(expect.any(String));

    // The secondary's answer, whole, after the notice.
    expect(after.length).toBeGreaterThan(0);
    expect(after.every(isType('AnswerDelta'))).toBe(true);
    expect(deltaText(after)).toBe(ANSWER_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: {
        __typename: 'Answer',
        text: ANSWER_TEXT,
        meta: { provider: 'anthropic', cached: false },
      },
    });
    expect(member(member(events.at(-1), 'AskCompleted').result, 'Answer').citations).toHaveLength(2);
    expect(anthropic().requestCount(MESSAGES)).toBe(1);
  });

  // Found by a review: the SDKs end their stream quietly when its signal aborts, so a stream our idle clock
  // stopped mid-answer was served as a complete Answer of the first words, with no notice and no fallback.
  it('restarts on the secondary with PROVIDER_TIMEOUT when the primary goes silent mid-answer', async () => {
    openai().faults.once({ kind: 'stream-hold', afterChunks: 2 });
    const events = await client.askStream(QUESTION);
    const noticeAt = events.findIndex(isType('StreamNotice'));
    expect(noticeAt).toBeGreaterThan(0);
    expect(events[noticeAt]).toMatchObject({ reason: 'PROVIDER_TIMEOUT', restart: true });
    expect(deltaText(events.slice(noticeAt + 1, -1))).toBe(ANSWER_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: { __typename: 'Answer', text: ANSWER_TEXT, meta: { provider: 'anthropic' } },
    });
  });

  it('falls back with restart: false and PROVIDER_TIMEOUT when the primary hangs before its first token', async () => {
    openai().faults.once({ kind: 'hang' });
    const started = Date.now();
    const events = await client.askStream(QUESTION);
    expect(events[0]).toMatchObject({
      __typename: 'StreamNotice',
      reason: 'PROVIDER_TIMEOUT',
      restart: false,
    });
    const rest = events.slice(1, -1);
    expect(rest.every(isType('AnswerDelta'))).toBe(true);
    expect(deltaText(rest)).toBe(ANSWER_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: { __typename: 'Answer', meta: { provider: 'anthropic' } },
    });
    // The hang cost the attempt timeout (400 ms), not the 6 s deadline, and its request was abandoned.
    expect(Date.now() - started).toBeLessThan(3_000);
    const hung = openai().requests.find((request) => request.fault?.kind === 'hang');
    await waitUntil(() => hung?.closedAt !== undefined, 2_000);
    expect(hung?.aborted).toBe(true);
  });

  it('completes with a DegradedAnswer, after a notice per failed target, when every target fails', async () => {
    openai().faults.always({ kind: 'status', status: 500 });
    anthropic().faults.always({ kind: 'status', status: 500 });
    const events = await client.askStream(QUESTION);
    expect(events.slice(0, -1)).toEqual([
      expect.objectContaining({ __typename: 'StreamNotice', reason: 'PROVIDER_ERROR', restart: false }),
      expect.objectContaining({ __typename: 'StreamNotice', reason: 'PROVIDER_ERROR', restart: false }),
    ]);
    const { result } = member(events.at(-1), 'AskCompleted');
    expect(result).toMatchObject({
      __typename: 'DegradedAnswer',
      reason: 'PROVIDER_ERROR',
      meta: { provider: null, cached: false },
    });
    expect(
      member(result, 'DegradedAnswer')
        .passages.map((passage) => passage.documentId)
        .sort(),
    ).toEqual(['crates', 'ledger']);
  });

  it('streams a summary as SummaryDeltas, then SummarizeCompleted with the Summary', async () => {
    const events = await client.summarizeStream({ documentId: 'ledger' });
    const deltas = events.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.__typename === 'SummaryDelta')).toBe(true);
    expect(deltas.map((event) => member(event, 'SummaryDelta').index)).toEqual(deltas.map((_, i) => i));
    expect(deltaText(deltas)).toBe(SUMMARY_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'SummarizeCompleted',
      result: {
        __typename: 'Summary',
        text: SUMMARY_TEXT,
        // A short document takes the small-model chain.
        meta: { provider: 'openai', model: 'gpt-4.1-nano', promptVersion: 'summarize.v1', cached: false },
      },
    });
  });

  // Found by a review: a stream served from the cache sent no delta, then a REFORMATTED notice telling the client
  // to drop text it never showed.
  it('serves a summary already in the cache as the completed result alone, with no notice', async () => {
    const text = `The ledger lists every shipment of the ${randomBytes(4).toString('hex')} season.`;
    expect(await client.summarize({ text })).toMatchObject({
      __typename: 'Summary',
      meta: { cached: false },
    });
    const events = await client.summarizeStream({ text });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      __typename: 'SummarizeCompleted',
      result: { __typename: 'Summary', meta: { cached: true } },
    });
  });

  it.each(['', '   '])(
    'ends the subscription with BAD_USER_INPUT naming input.question for the question %j, calling no provider',
    async (question) => {
      const outcome = await harness
        .as(`ws-bad-${randomBytes(4).toString('hex')}`)
        .subscribe<AskStreamData>(ASK_STREAM, { input: { question } });
      expect(outcome.kind).toBe('results');
      if (outcome.kind !== 'results') return;
      const errors = outcome.results.flatMap((result) => result.errors ?? []);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.question' });
      expect(errors[0]?.message).toMatch(/^input\.question: /);
      expect(outcome.results.some((result) => result.data)).toBe(false);
      expect(openai().requestCount(CHAT)).toBe(0);
    },
  );

  it('closes the provider request when the client unsubscribes mid-stream, without falling back', async () => {
    const usageBefore = await askUsage();
    const abandonedBefore = await abandonedCount();
    answerText = LONG_ANSWER;
    // 31 deltas at 150 ms each: about 4.6 s if nobody stopped it.
    openai().faults.once({ kind: 'slow-drip', delayMs: 150 });
    const ws = createClient({
      url: harness.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await client.token()}` },
    });
    const results: FormattedExecutionResult<AskStreamData, unknown>[] = [];
    try {
      const unsubscribe = ws.subscribe<AskStreamData>(
        { query: ASK_STREAM, variables: { input: { question: QUESTION } } },
        { next: (result) => results.push(result), error: () => undefined, complete: () => undefined },
      );
      await waitUntil(() => results.length >= 2, 3_000);
      const request = openai().requests.find((recorded: RecordedRequest) => recorded.path === CHAT);
      expect(request?.closedAt).toBeUndefined();

      const unsubscribedAt = Date.now();
      unsubscribe();
      await waitUntil(() => request?.closedAt !== undefined, 2_000);
      expect(request?.aborted).toBe(true);
      expect((request?.closedAt ?? Infinity) - unsubscribedAt).toBeLessThan(1_000);

      // Nothing more reaches the client, and the secondary is never asked on the client's behalf.
      const received = results.length;
      await sleep(500);
      expect(results).toHaveLength(received);
      for (const result of results) expect(result.errors).toBeUndefined();
      expect(results.every((result) => result.data?.askStream.__typename === 'AnswerDelta')).toBe(true);
      expect(anthropic().requestCount(MESSAGES)).toBe(0);

      // Counted as a request the client abandoned: in the tenant's usage, and as no fallback.
      const until = Date.now() + 2_000;
      while ((await abandonedCount()) !== abandonedBefore + 1) {
        if (Date.now() > until) throw new Error('the abandoned stream was never counted');
        await sleep(20);
      }
      const usage = await askUsage();
      expect(usage.requests).toBe(usageBefore.requests + 1);
      expect(usage.fallbacks).toBe(usageBefore.fallbacks);
    } finally {
      await ws.dispose();
    }
  });
});

describe('a healthy stream that outlasts the request deadline', () => {
  let harness: Harness;
  let client: TenantClient;

  beforeAll(async () => {
    answerText = LONG_ANSWER;
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder,
      env: { DEADLINE_MS: '800', ATTEMPT_TIMEOUT_MS: '400' },
    });
    client = harness.as(`long-${randomBytes(4).toString('hex')}`);
    for (const input of DOCS) await client.ingest(input);
  });
  afterAll(async () => {
    await harness?.stop();
    answerText = ANSWER_TEXT;
  });

  it('is not cut at the deadline: the deadline bounds the first token, an idle gap bounds the rest', async () => {
    // About 30 deltas 100 ms apart: some 3 s in all, well past the 800 ms deadline, each gap under 400 ms.
    harness.providers.openai.faults.once({ kind: 'slow-drip', delayMs: 100 });
    const started = Date.now();
    const events = await client.askStream(QUESTION, 15_000);
    expect(Date.now() - started).toBeGreaterThan(800);
    expect(events.some(isType('StreamNotice'))).toBe(false);
    expect(deltaText(events.slice(0, -1))).toBe(LONG_ANSWER);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: { __typename: 'Answer', meta: { provider: 'openai' } },
    });
    expect(harness.providers.anthropic.requestCount()).toBe(0);
  });
});
