// Issue 12, traces: the subgraph as an operator runs it, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// collector (an OTLP/HTTP JSON receiver in this process). A query carrying the router's traceparent, and a
// subscription whose connection_init carries one, each yield their request, stage, guardrail, limit and model
// spans in THAT trace, parented as the request ran, the model spans with the GenAI attributes and the tokens
// the provider reported; no attribute holds the question, the document or the answer. SIGTERM flushes the
// batched spans before the process exits, so the assertions read what a collector would have, no waiting.
import { randomBytes } from 'node:crypto';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { readMetrics } from '../support/metrics-reader';
import type { Metrics } from '../support/metrics-reader';
import { ASK, ASK_STREAM, INGEST } from '../support/operations';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { replyByTask } from '../support/providers/task-replies';
import { estimateTokens } from '../support/providers/text';
import type { AskResult, AskStreamEvent } from '../support/results';
import { spawnSubgraph } from '../support/spawn-subgraph';
import type { ChildExit, SpawnedSubgraph } from '../support/spawn-subgraph';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { subscribeOnce } from '../support/ws-client';

jest.setTimeout(120_000);

const BODY = 'The alpha depot holds granite blocks for the quarry.';
const ANSWER = 'The alpha depot holds granite blocks for the quarry [1].';
const HTTP_QUESTION = 'Which depot holds the granite blocks?';
const WS_QUESTION = 'What does the alpha depot hold for the quarry?';
const CHAT_MODEL = 'gpt-4.1-mini';
const EMBEDDING_MODEL = 'text-embedding-3-small';
/** The snapshot the fake OpenAI answers CHAT_MODEL in the name of, as the real API names a dated one. */
const CHAT_SNAPSHOT = `${CHAT_MODEL}-2024-07-18`;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const router = { http: { traceId: hex(16), spanId: hex(8) }, ws: { traceId: hex(16), spanId: hex(8) } };
const traceparent = ({ traceId, spanId }: { traceId: string; spanId: string }) =>
  `00-${traceId}-${spanId}-01`;
const tenant = `otel-${hex(4)}`;

let receiver: OtlpReceiver;
let providers: FakeProviders;
let subgraph: SpawnedSubgraph;
let exit: ChildExit;
let metrics: Metrics;
let httpAnswer: AskResult | undefined;
let wsEvents: AskStreamEvent[];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  providers = await startFakeProviders(['openai'], replyByTask({ answer: ANSWER }));
  subgraph = await spawnSubgraph({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    // PGlite with pgvector, so retrieval embeds the question (the machine's PostgreSQL may lack the extension).
    DATA_DIR: ':memory:',
    // A cap and a rate limit, so the spend reservation and the rate check run (and are traced).
    TENANT_POLICIES_JSON: JSON.stringify({
      tenants: { [tenant]: { limits: { monthlyCapUsd: 100, requestsPerMinute: 1_000 } } },
    }),
    ...providers.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'ai-subgraph-under-test',
  });
  const token = await tokenFor(tenant);
  const ingested = await gql(subgraph.url, INGEST, {
    token,
    variables: { input: { id: 'depot', title: 'Depots', body: BODY } },
  });
  expect(ingested.body.errors).toBeUndefined();

  const asked = await gql<{ ask: AskResult }>(subgraph.url, ASK, {
    token,
    variables: { input: { question: HTTP_QUESTION } },
    headers: { traceparent: traceparent(router.http) },
  });
  httpAnswer = asked.body.data?.ask;

  const streamed = await subscribeOnce<{ askStream: AskStreamEvent }>(subgraph.wsUrl, ASK_STREAM, {
    connectionParams: { authorization: `Bearer ${token}`, traceparent: traceparent(router.ws) },
    variables: { input: { question: WS_QUESTION } },
  });
  if (streamed.kind !== 'results') throw new Error(`socket closed: ${streamed.code} ${streamed.reason}`);
  wsEvents = streamed.results.map((result) => result.data?.askStream as AskStreamEvent);

  metrics = await readMetrics(subgraph.url);
  // The drain path: the batched spans are exported before the process exits.
  subgraph.child.kill('SIGTERM');
  exit = await subgraph.waitForExit();
});

afterAll(async () => {
  await subgraph?.kill();
  await Promise.allSettled([receiver?.close(), providers?.close()]);
});

/** The one span of `trace` named `name` (with `parent` as its parent, when given). */
function span(trace: readonly ReceivedSpan[], name: string, parent?: ReceivedSpan): ReceivedSpan {
  const found = trace.filter(
    (candidate) => candidate.name === name && (!parent || candidate.parentSpanId === parent.spanId),
  );
  if (found.length !== 1) {
    const names = trace.map((candidate) => candidate.name).join(', ');
    throw new Error(
      `expected one ${name} span${parent ? ` under ${parent.name}` : ''}, found ${found.length}: ${names}`,
    );
  }
  return found[0] as ReceivedSpan;
}

/** What the fake provider counted for the chat request that carried `question`. */
function chatInputTokens(question: string): number {
  const request = providers.openai.requests.find(
    (recorded) =>
      recorded.path === '/v1/chat/completions' && JSON.stringify(recorded.body).includes(question),
  );
  const messages = (request?.body as { messages: { content: string }[] } | undefined)?.messages ?? [];
  return Math.max(1, estimateTokens(messages.map((message) => message.content).join('')));
}

function expectChatSpan(chat: ReceivedSpan, question: string): void {
  expect(chat.kind).toBe(3);
  expect(chat.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': CHAT_MODEL,
    'gen_ai.response.model': CHAT_SNAPSHOT,
    'gen_ai.usage.input_tokens': chatInputTokens(question),
    'gen_ai.usage.output_tokens': estimateTokens(ANSWER),
  });
  expect(chat.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  expect(chat.attributes['error.type']).toBeUndefined();
}

it('drains and exits 0 after SIGTERM, having sent every span as OTLP JSON', () => {
  expect(exit).toEqual({ code: 0, signal: null });
  expect(receiver.refused).toBe(0);
  expect(receiver.trace(router.http.traceId).length).toBeGreaterThan(0);
  for (const received of receiver.spans) {
    expect(received.resource['service.name']).toBe('ai-subgraph-under-test');
  }
});

it('continues the router traceparent of an HTTP request: server, feature, stage, rail, limit and model spans', () => {
  expect(httpAnswer?.__typename).toBe('Answer');
  const trace = receiver.trace(router.http.traceId);
  const server = span(trace, 'POST /graphql');
  expect(server.kind).toBe(2);
  expect(server.parentSpanId).toBe(router.http.spanId);
  expect(server.attributes).toMatchObject({
    'http.request.method': 'POST',
    'http.response.status_code': 200,
  });

  const ask = span(trace, 'ai.ask', server);
  expect(ask.attributes).toMatchObject({ 'ai.tenant.id': tenant, 'ai.feature': 'ask', 'ai.outcome': 'full' });
  expect(ask.attributes['ai.prompt.version']).toEqual(expect.any(String));

  span(trace, 'ai.retrieval.lexical', ask);
  span(trace, 'ai.guardrail.input', ask);
  expect(span(trace, 'ai.guardrail.retrieval', ask).attributes['ai.guardrail.outcome']).toBe('pass');
  expect(span(trace, 'ai.guardrail.answer', ask).attributes['ai.guardrail.verdicts']).toBe(
    'citations=pass grounding=pass',
  );

  const embedStage = span(trace, 'ai.retrieval.embed', ask);
  const embeddings = span(trace, `embeddings ${EMBEDDING_MODEL}`, embedStage);
  expect(embeddings.attributes).toMatchObject({
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': EMBEDDING_MODEL,
    'gen_ai.response.model': EMBEDDING_MODEL,
    'gen_ai.usage.input_tokens': estimateTokens(HTTP_QUESTION),
  });

  const modelStage = span(trace, 'ai.model.answer', ask);
  expectChatSpan(span(trace, `chat ${CHAT_MODEL}`, modelStage), HTTP_QUESTION);
  expect(span(trace, 'ai.rate_limit.check', modelStage).attributes['ai.limit.result']).toBe('admitted');
  expect(span(trace, 'ai.spend.reserve', modelStage).attributes['ai.limit.result']).toBe('reserved');
  expect(span(trace, 'ai.guardrail.echo', modelStage).attributes['ai.guardrail.outcome']).toBe('pass');
  expect(span(trace, 'ai.guardrail.format', modelStage).attributes['ai.guardrail.outcome']).toBe('pass');
});

it('continues the traceparent of a graphql-ws connection_init in its subscription, the stream steps nested in its span', () => {
  const completed = wsEvents.at(-1);
  expect(completed?.__typename).toBe('AskCompleted');
  const trace = receiver.trace(router.ws.traceId);
  const stream = span(trace, 'ai.askStream');
  expect(stream.parentSpanId).toBe(router.ws.spanId);
  expect(stream.attributes).toMatchObject({
    'ai.tenant.id': tenant,
    'ai.feature': 'ask',
    'ai.outcome': 'full',
  });

  span(trace, 'ai.retrieval.lexical', stream);
  span(trace, 'ai.guardrail.input', stream);
  span(trace, `embeddings ${EMBEDDING_MODEL}`, span(trace, 'ai.retrieval.embed', stream));
  const chat = span(trace, `chat ${CHAT_MODEL}`, stream);
  expectChatSpan(chat, WS_QUESTION);
  span(trace, 'ai.guardrail.answer', stream);
  // Every span of the stream is in the router's trace: none started a trace of its own.
  const ids = new Set([router.ws.spanId, ...trace.map((received) => received.spanId)]);
  for (const received of trace) expect(ids.has(received.parentSpanId ?? '')).toBe(true);
});

it('never captures the question, the document or the answer in an attribute', () => {
  const texts = [HTTP_QUESTION, WS_QUESTION, BODY, ANSWER, 'granite'];
  for (const received of receiver.spans) {
    for (const value of Object.values(received.attributes)) {
      const shown = String(value);
      for (const text of texts) expect(shown).not.toContain(text);
    }
  }
});

it('records the reported tokens by type and the time to first token of each chat attempt', () => {
  const chat = { provider: 'openai', model: CHAT_MODEL };
  const expectedInput = chatInputTokens(HTTP_QUESTION) + chatInputTokens(WS_QUESTION);
  expect(metrics.value('ai_model_tokens_count', { ...chat, type: 'output' })).toBe(2);
  expect(metrics.value('ai_model_tokens_sum', { ...chat, type: 'output' })).toBe(2 * estimateTokens(ANSWER));
  expect(metrics.value('ai_model_tokens_sum', { ...chat, type: 'input' })).toBe(expectedInput);
  expect(metrics.value('ai_model_time_to_first_token_seconds_count', chat)).toBe(2);
  const embedding = { provider: 'openai', model: EMBEDDING_MODEL, type: 'input' };
  // The document at ingest, and each question.
  expect(metrics.value('ai_model_tokens_count', embedding)).toBe(3);
  expect(metrics.value('ai_model_time_to_first_token_seconds_count', { model: EMBEDDING_MODEL })).toBe(0);
});
