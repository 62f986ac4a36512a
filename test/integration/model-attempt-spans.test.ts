// The model attempt instrumentation in the subgraph running in this process (the SDK started once for the
// suite, exporting OTLP JSON to a receiver here): an attempt that fails carries the failure kind as
// error.type and no usage; one that answers carries the provider's usage; the token and time-to-first-token
// histograms count what the provider reported, for successes only. A hedge that lost its race ends its span as
// cancelled, not as an error.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../subgraph/config';
import { startTracing } from '../../subgraph/observability/tracing/start-tracing';
import type { Tracing } from '../../subgraph/observability/tracing/start-tracing';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { SUMMARIZE } from '../support/operations';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { estimateTokens } from '../support/providers/text';
import type { SummarizeResult } from '../support/results';
import { gql, TEST_JWT_SECRET } from '../support/subgraph';

const SUMMARY = 'The ledger lists shipments.';
const SMALL_MODEL = 'gpt-4.1-nano';

let receiver: OtlpReceiver;
let tracing: Tracing;
let harness: Harness;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const config = loadConfig({
    DATA_DIR: ':memory:',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  tracing = startTracing(config.tracing);
  harness = await startHarness({
    providers: ['openai'],
    responder: () => SUMMARY,
    env: { ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED },
  });
});

afterAll(async () => {
  await harness?.stop();
  await tracing?.shutdown();
  await receiver?.close();
});

/** Summarizes `text` under a traceparent of its own; the spans of that trace once flushed. */
async function summarizeTraced(
  text: string,
  subgraph: Harness = harness,
): Promise<{ result?: SummarizeResult; spans: ReceivedSpan[] }> {
  const traceId = randomBytes(16).toString('hex');
  const response = await gql<{ summarize: SummarizeResult }>(subgraph.url, SUMMARIZE, {
    token: await subgraph.token(`attempts-${randomBytes(3).toString('hex')}`),
    variables: { input: { text, maxWords: 20 } },
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  await tracing.flush();
  return { result: response.body.data?.summarize, spans: receiver.trace(traceId) };
}

const attemptsOf = (spans: readonly ReceivedSpan[]) =>
  spans.filter((span) => span.name === `chat ${SMALL_MODEL}`);

it('marks a failed attempt with the failure kind as error.type, with no usage and no tokens counted', async () => {
  harness.providers.openai.faults.always({ kind: 'status', status: 500 });
  const before = await harness.metrics();
  const { result, spans } = await summarizeTraced('The ledger lists every shipment of the spring season.');
  expect(result).toMatchObject({ __typename: 'DegradedSummary', reason: 'PROVIDER_ERROR' });
  const [attempt, ...more] = attemptsOf(spans);
  expect(more).toEqual([]);
  expect(attempt?.statusCode).toBe(2);
  expect(attempt?.attributes).toMatchObject({ 'error.type': 'server', 'gen_ai.provider.name': 'openai' });
  expect(attempt?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  expect(attempt?.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
  expect(spans.find((span) => span.name === 'ai.summarize')?.attributes).toMatchObject({
    'ai.outcome': 'degraded',
    'ai.reason': 'PROVIDER_ERROR',
  });
  const after = await harness.metrics();
  const labels = { provider: 'openai', model: SMALL_MODEL };
  expect(after.value('ai_model_tokens_count', labels)).toBe(before.value('ai_model_tokens_count', labels));
  expect(after.value('ai_model_time_to_first_token_seconds_count', labels)).toBe(
    before.value('ai_model_time_to_first_token_seconds_count', labels),
  );
});

it('records the reported usage on the span and in the token and time-to-first-token histograms', async () => {
  harness.providers.reset();
  const text = 'The ledger lists every shipment of the autumn season.';
  const before = await harness.metrics();
  const { result, spans } = await summarizeTraced(text);
  expect(result?.__typename).toBe('Summary');
  const [attempt] = attemptsOf(spans);
  const request = harness.providers.openai.requests.at(-1)?.body as { messages: { content: string }[] };
  const inputTokens = estimateTokens(request.messages.map((message) => message.content).join(''));
  expect(attempt?.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': SMALL_MODEL,
    'gen_ai.usage.input_tokens': inputTokens,
    'gen_ai.usage.output_tokens': estimateTokens(SUMMARY),
  });
  const after = await harness.metrics();
  const labels = { provider: 'openai', model: SMALL_MODEL };
  const delta = (name: string, extra: Record<string, string> = {}) =>
    after.value(name, { ...labels, ...extra }) - before.value(name, { ...labels, ...extra });
  expect(delta('ai_model_tokens_sum', { type: 'input' })).toBe(inputTokens);
  expect(delta('ai_model_tokens_sum', { type: 'output' })).toBe(estimateTokens(SUMMARY));
  expect(delta('ai_model_time_to_first_token_seconds_count')).toBe(1);
  expect(delta('ai_model_time_to_first_token_seconds_sum')).toBeCloseTo(
    Number(attempt?.attributes['gen_ai.response.time_to_first_chunk']),
    6,
  );
});

describe('a hedge that lost its race', () => {
  const SLOW = 'gpt-slow';
  const FAST = 'gpt-fast';
  let hedged: Harness;
  beforeAll(async () => {
    hedged = await startHarness({
      providers: ['openai'],
      // The slow model answers long after the hedge (100 ms) has started the fast one.
      responder: async (request) => {
        if (request.model === SLOW) await sleep(3_000);
        return SUMMARY;
      },
      env: {
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: {
            summarize: {
              chain: [
                { provider: 'openai', model: SLOW },
                { provider: 'openai', model: FAST },
              ],
              hedge: { afterMs: 100 },
            },
          },
        }),
      },
    });
  });
  afterAll(() => hedged?.stop());

  it('ends the loser’s attempt span as cancelled, with no error status, and the winner’s as answered', async () => {
    const { result, spans } = await summarizeTraced(
      'The ledger lists every shipment of the autumn season.',
      hedged,
    );
    expect(result).toMatchObject({ __typename: 'Summary', meta: { model: FAST } });
    const loser = spans.find((span) => span.name === `chat ${SLOW}`);
    const winner = spans.find((span) => span.name === `chat ${FAST}`);
    expect(loser?.attributes).toMatchObject({ 'ai.attempt.cancelled': true });
    expect(loser?.statusCode).not.toBe(2);
    expect(loser?.attributes['error.type']).toBeUndefined();
    expect(winner?.attributes['ai.attempt.cancelled']).toBeUndefined();
    expect(winner?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });
});
