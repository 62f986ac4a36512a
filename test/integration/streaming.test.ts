// askStream and summarizeStream over graphql-ws against fake providers: deltas that add up to the model's
// text, a StreamNotice whenever the path changes (restart: true once text has flowed), the final result as
// the same union member the query would return, never a GraphQL error, and an unsubscribe that closes the
// provider request.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { ChatRequest, FakeProviderServer, RecordedRequest } from '../support/providers';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { subscribeOnce } from '../support/ws-client';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

const ANSWER_TEXT =
  'Every quokka crate is weighed twice before the marmalade leaves the harbour [1]. ' +
  'The ledger keeps each shipment on record [2], but passage [7] does not exist.';
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
const LONG_ANSWER = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ') + ' [1].';

// The final Answer drops the marker naming no passage; the streamed deltas are the provider's text as sent.
const CITED_ANSWER_TEXT = ANSWER_TEXT.replace(' [7]', '');
let answerText = ANSWER_TEXT;
function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return user.includes('Question:') ? answerText : SUMMARY_TEXT;
}

const ASK_STREAM = `subscription($q: String!) {
  askStream(input: { question: $q }) {
    __typename
    ... on AnswerDelta { text index }
    ... on StreamNotice { reason message restart }
    ... on AskCompleted {
      result {
        __typename
        ... on Answer { text citations { documentId chunkId } meta { provider model promptVersion cached } }
        ... on DegradedAnswer { reason passages { documentId } meta { provider cached } }
        ... on AIUnavailable { reason message }
      }
    }
  }
}`;
const SUMMARIZE_STREAM = `subscription($id: ID!) {
  summarizeStream(input: { documentId: $id }) {
    __typename
    ... on SummaryDelta { text index }
    ... on StreamNotice { reason message restart }
    ... on SummarizeCompleted {
      result {
        __typename
        ... on Summary { text meta { provider model promptVersion cached } }
        ... on DegradedSummary { text reason }
        ... on AIUnavailable { reason message }
      }
    }
  }
}`;
const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId } }`;

interface Meta {
  provider: string | null;
  model?: string | null;
  promptVersion?: string | null;
  cached: boolean;
}
interface StreamEvent {
  __typename: string;
  text?: string;
  index?: number;
  reason?: string;
  message?: string;
  restart?: boolean;
  result?: {
    __typename: string;
    text?: string;
    reason?: string;
    citations?: { documentId: string; chunkId: string }[];
    passages?: { documentId: string }[];
    meta?: Meta;
  };
}
type AskStreamData = { askStream: StreamEvent };
type SummarizeStreamData = { summarizeStream: StreamEvent };

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

/** The events of one subscription, checked to carry no GraphQL errors. */
function eventsOf<Data>(
  results: readonly { data?: Data | null; errors?: unknown }[],
  field: keyof Data,
): StreamEvent[] {
  for (const result of results) expect(result.errors).toBeUndefined();
  return results.map((result) => result.data?.[field] as StreamEvent);
}

const deltaText = (events: StreamEvent[]) => events.map((event) => event.text ?? '').join('');

/** How many ask streams the client abandoned, from the subgraph's own Prometheus counter. */
async function abandonedCount(subgraph: TestSubgraph): Promise<number> {
  const { values } = await subgraph.app.metrics.featureRequests.get();
  return values
    .filter((entry) => entry.labels.outcome === 'abandoned' && entry.labels.feature === 'ask')
    .reduce((sum, entry) => sum + entry.value, 0);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('streamed answers and summaries over graphql-ws', () => {
  const schema = uniqueSchemaName();
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let subgraph: TestSubgraph;
  let token: string;

  const askStream = async (): Promise<StreamEvent[]> => {
    const outcome = await subscribeOnce<AskStreamData>(subgraph.wsUrl, ASK_STREAM, {
      connectionParams: { authorization: `Bearer ${token}` },
      variables: { q: QUESTION },
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
    return eventsOf(outcome.results, 'askStream');
  };

  const askUsage = async (): Promise<{ requests: number; fallbacks: number }> => {
    const response = await gql<{
      usage: { byFeature: { feature: string; requests: number; fallbacks: number }[] };
    }>(subgraph.url, '{ usage { byFeature { feature requests fallbacks } } }', { token });
    const ask = response.body.data?.usage.byFeature.find((entry) => entry.feature === 'ask');
    return { requests: ask?.requests ?? 0, fallbacks: ask?.fallbacks ?? 0 };
  };

  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([
      startFakeOpenAI({ responder }),
      startFakeAnthropic({ responder }),
    ]);
    subgraph = await startTestSubgraph({
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: openai.baseURL,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      // Long enough that only an unsubscribe, never the deadline, can end the slow-drip stream early.
      DEADLINE_MS: '6000',
      ATTEMPT_TIMEOUT_MS: '400',
      RETRY_BASE_DELAY_MS: '10',
      CIRCUIT_CONSECUTIVE_FAILURES: '1000',
      CIRCUIT_FAILURE_RATE: '1',
    });
    token = await tokenFor(`stream-${randomBytes(4).toString('hex')}`);
    for (const input of DOCS) {
      const response = await gql(subgraph.url, INGEST, { token, variables: { input } });
      expect(response.body.errors).toBeUndefined();
    }
  });

  beforeEach(() => {
    answerText = ANSWER_TEXT;
    openai.reset();
    anthropic.reset();
  });

  afterAll(async () => {
    await subgraph?.stop();
    await dropPostgresSchema(schema);
    await Promise.allSettled([openai?.close(), anthropic?.close()]);
  });

  it('streams deltas that add up to the provider text, then AskCompleted with a cited Answer', async () => {
    const events = await askStream();
    const deltas = events.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.__typename === 'AnswerDelta')).toBe(true);
    expect(deltas.map((event) => event.index)).toEqual(deltas.map((_, i) => i));
    expect(deltaText(deltas)).toBe(ANSWER_TEXT);

    const completed = events.at(-1);
    expect(completed?.__typename).toBe('AskCompleted');
    expect(completed?.result).toMatchObject({
      __typename: 'Answer',
      text: CITED_ANSWER_TEXT,
      meta: { provider: 'openai', model: 'gpt-4.1-mini', promptVersion: 'answer.v1', cached: false },
    });
    // [1] and [2] cite the two retrieved passages; [7] is outside them and cites nothing.
    const cited = completed?.result?.citations ?? [];
    expect(cited.map((citation) => citation.documentId).sort()).toEqual(['crates', 'ledger']);
    expect(openai.requestCount(CHAT)).toBe(1);
    expect(anthropic.requestCount(MESSAGES)).toBe(0);
  });

  it('restarts on the secondary with a StreamNotice when the primary stream is cut mid-answer', async () => {
    openai.faults.once({ kind: 'stream-cut', afterChunks: 2 });
    const events = await askStream();
    const noticeAt = events.findIndex((event) => event.__typename === 'StreamNotice');
    expect(noticeAt).toBeGreaterThan(0);
    const before = events.slice(0, noticeAt);
    const after = events.slice(noticeAt + 1, -1);

    // Some of the primary's text arrived, and only the start of it.
    expect(before.every((event) => event.__typename === 'AnswerDelta')).toBe(true);
    expect(ANSWER_TEXT.startsWith(deltaText(before))).toBe(true);
    expect(deltaText(before).length).toBeLessThan(ANSWER_TEXT.length);
    expect(events[noticeAt]).toMatchObject({ reason: 'PROVIDER_ERROR', restart: true });
    expect(events[noticeAt]?.message).toEqual(expect.any(String));

    // The secondary's answer, whole, after the notice.
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((event) => event.__typename === 'AnswerDelta')).toBe(true);
    expect(deltaText(after)).toBe(ANSWER_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: {
        __typename: 'Answer',
        text: CITED_ANSWER_TEXT,
        meta: { provider: 'anthropic', cached: false },
      },
    });
    expect(events.at(-1)?.result?.citations).toHaveLength(2);
    expect(anthropic.requestCount(MESSAGES)).toBe(1);
  });

  it('falls back with restart: false and PROVIDER_TIMEOUT when the primary hangs before its first token', async () => {
    openai.faults.once({ kind: 'hang' });
    const started = Date.now();
    const events = await askStream();
    expect(events[0]).toMatchObject({
      __typename: 'StreamNotice',
      reason: 'PROVIDER_TIMEOUT',
      restart: false,
    });
    const rest = events.slice(1, -1);
    expect(rest.every((event) => event.__typename === 'AnswerDelta')).toBe(true);
    expect(deltaText(rest)).toBe(ANSWER_TEXT);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: { __typename: 'Answer', meta: { provider: 'anthropic' } },
    });
    // The hang cost the attempt timeout (400 ms), not the 6 s deadline, and its request was abandoned.
    expect(Date.now() - started).toBeLessThan(3_000);
    const hung = openai.requests.find((request) => request.fault?.kind === 'hang');
    await waitFor(() => hung?.closedAt !== undefined, 2_000);
    expect(hung?.aborted).toBe(true);
  });

  it('completes with a DegradedAnswer, after a notice per failed target, when every target fails', async () => {
    openai.faults.always({ kind: 'status', status: 500 });
    anthropic.faults.always({ kind: 'status', status: 500 });
    const events = await askStream();
    expect(events.slice(0, -1)).toEqual([
      expect.objectContaining({ __typename: 'StreamNotice', reason: 'PROVIDER_ERROR', restart: false }),
      expect.objectContaining({ __typename: 'StreamNotice', reason: 'PROVIDER_ERROR', restart: false }),
    ]);
    const completed = events.at(-1);
    expect(completed).toMatchObject({
      __typename: 'AskCompleted',
      result: {
        __typename: 'DegradedAnswer',
        reason: 'PROVIDER_ERROR',
        meta: { provider: null, cached: false },
      },
    });
    expect(completed?.result?.passages?.map((passage) => passage.documentId).sort()).toEqual([
      'crates',
      'ledger',
    ]);
  });

  it('streams a summary as SummaryDeltas, then SummarizeCompleted with the Summary', async () => {
    const outcome = await subscribeOnce<SummarizeStreamData>(subgraph.wsUrl, SUMMARIZE_STREAM, {
      connectionParams: { authorization: `Bearer ${token}` },
      variables: { id: 'ledger' },
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code}`);
    const events = eventsOf(outcome.results, 'summarizeStream');
    const deltas = events.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.__typename === 'SummaryDelta')).toBe(true);
    expect(deltas.map((event) => event.index)).toEqual(deltas.map((_, i) => i));
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

  it('closes the provider request when the client unsubscribes mid-stream, without falling back', async () => {
    const usageBefore = await askUsage();
    const abandonedBefore = await abandonedCount(subgraph);
    answerText = LONG_ANSWER;
    // 31 deltas at 150 ms each: about 4.6 s if nobody stopped it.
    openai.faults.once({ kind: 'slow-drip', delayMs: 150 });
    const client = createClient({
      url: subgraph.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const results: FormattedExecutionResult<AskStreamData, unknown>[] = [];
    try {
      const unsubscribe = client.subscribe<AskStreamData>(
        { query: ASK_STREAM, variables: { q: QUESTION } },
        { next: (result) => results.push(result), error: () => undefined, complete: () => undefined },
      );
      await waitFor(() => results.length >= 2, 3_000);
      const request = openai.requests.find((recorded: RecordedRequest) => recorded.path === CHAT);
      expect(request?.closedAt).toBeUndefined();

      const unsubscribedAt = Date.now();
      unsubscribe();
      await waitFor(() => request?.closedAt !== undefined, 2_000);
      expect(request?.aborted).toBe(true);
      expect((request?.closedAt ?? Infinity) - unsubscribedAt).toBeLessThan(1_000);

      // Nothing more reaches the client, and the secondary is never asked on the client's behalf.
      const received = results.length;
      await sleep(500);
      expect(results).toHaveLength(received);
      expect(eventsOf(results, 'askStream').every((event) => event.__typename === 'AnswerDelta')).toBe(true);
      expect(anthropic.requestCount(MESSAGES)).toBe(0);

      // Counted as a request the client abandoned: in the tenant's usage, and as no fallback.
      const until = Date.now() + 2_000;
      while ((await abandonedCount(subgraph)) !== abandonedBefore + 1) {
        if (Date.now() > until) throw new Error('the abandoned stream was never counted');
        await sleep(20);
      }
      const usage = await askUsage();
      expect(usage.requests).toBe(usageBefore.requests + 1);
      expect(usage.fallbacks).toBe(usageBefore.fallbacks);
    } finally {
      await client.dispose();
    }
  });
});

describe('a healthy stream that outlasts the request deadline', () => {
  const schema = uniqueSchemaName();
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let subgraph: TestSubgraph;
  let token: string;

  beforeAll(async () => {
    answerText = LONG_ANSWER;
    [openai, anthropic] = await Promise.all([
      startFakeOpenAI({ responder }),
      startFakeAnthropic({ responder }),
    ]);
    subgraph = await startTestSubgraph({
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: openai.baseURL,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      DEADLINE_MS: '800',
      ATTEMPT_TIMEOUT_MS: '400',
    });
    token = await tokenFor(`long-${randomBytes(4).toString('hex')}`);
    for (const input of DOCS) await gql(subgraph.url, INGEST, { token, variables: { input } });
  });
  afterAll(async () => {
    await subgraph?.stop();
    await Promise.all([openai?.close(), anthropic?.close()]);
    await dropPostgresSchema(schema);
    answerText = ANSWER_TEXT;
  });

  it('is not cut at the deadline: the deadline bounds the first token, an idle gap bounds the rest', async () => {
    // About 30 deltas 100 ms apart: some 3 s in all, well past the 800 ms deadline, each gap under 400 ms.
    openai.faults.once({ kind: 'slow-drip', delayMs: 100 });
    const started = Date.now();
    const outcome = await subscribeOnce<AskStreamData>(subgraph.wsUrl, ASK_STREAM, {
      connectionParams: { authorization: `Bearer ${token}` },
      variables: { q: QUESTION },
      timeoutMs: 15_000,
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code}`);
    const events = eventsOf(outcome.results, 'askStream');
    expect(Date.now() - started).toBeGreaterThan(800);
    expect(events.some((event) => event.__typename === 'StreamNotice')).toBe(false);
    expect(deltaText(events.slice(0, -1))).toBe(LONG_ANSWER);
    expect(events.at(-1)).toMatchObject({
      __typename: 'AskCompleted',
      result: { __typename: 'Answer', meta: { provider: 'openai' } },
    });
    expect(anthropic.requestCount()).toBe(0);
  });
});
