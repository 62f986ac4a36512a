// Finding 2: partial deltas were not withdrawn when a stream ended on this replica's own overload. A walk whose
// attempt our stalled event loop ran out ends at once (no fallback is tried), and it ended without the notice a
// fallback sends: the client had the first deltas, then the completed AIUnavailable RATE_LIMITED and no
// StreamNotice with restart, so by the contract it kept the truncated text as the answer; and when a stale cache
// entry then served, the only notice said REFORMATTED, the wrong reason. As in loop-lag-timeouts.test.ts the
// loop is held (Atomics.wait, as a long synchronous turn would) past the idle clock, here right after the first
// delta reached the client; the provider (a real HTTP fake) has sent that delta and holds the rest.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CIRCUITS_STAY_CLOSED, startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { SUMMARIZE_STREAM } from '../support/operations';
import type { SummarizeStreamEvent } from '../support/results';
import { requirePostgres } from '../support/services';

requirePostgres();

const CHAT = '/v1/chat/completions';
const TENANT = 'overload-withdraw-co';
const ATTEMPT_TIMEOUT_MS = 600;
/** Longer than the stream's idle clock (the attempt timeout): the clock runs out during the stall. */
const BLOCK_MS = 900;
const TEXT =
  'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine. Rangers count the seals each spring.';
const SUMMARY = 'The glacier retreated forty metres last summer, and its meltwater feeds the lake below.';

const providers = useFakeProviders(['openai'], () => SUMMARY);

let harness: Harness;
let callNumber = 0;

beforeAll(async () => {
  harness = await startHarness({
    providers,
    env: {
      ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
      RETRY_MAX_ATTEMPTS: '1',
      ...CIRCUITS_STAY_CLOSED,
      // Shedding is another suite's subject: here the stream must reach the provider.
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
      // An entry is fresh for a second, then stale (served only when every target fails) for the default grace.
      CACHE_TTL_SUMMARIZE_SECONDS: '1',
    },
  });
});
afterAll(() => harness?.stop());

/** A distinct text per call, so that no cached summary answers unless the test made one. */
const nextText = () => `${TEXT} Entry ${(callNumber += 1)}.`;

/**
 * summarizeStream's events, the event loop held for BLOCK_MS as soon as the first delta reaches the client:
 * the provider has sent one delta and holds the rest, so the stream's idle clock runs out during the stall.
 */
async function streamStalledAfterFirstDelta(text: string): Promise<SummarizeStreamEvent[]> {
  providers.openai.faults.once({ kind: 'stream-hold', afterChunks: 1 }, { path: CHAT });
  const client = createClient({
    url: harness.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${await harness.token(TENANT)}` },
  });
  const events: SummarizeStreamEvent[] = [];
  let stalled = false;
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ summarizeStream: SummarizeStreamEvent }>(
        { query: SUMMARIZE_STREAM, variables: { input: { text } } },
        {
          next: (result) => {
            const event = result.data?.summarizeStream;
            if (!event) return reject(new Error(`no event: ${JSON.stringify(result.errors)}`));
            events.push(event);
            if (event.__typename === 'SummaryDelta' && !stalled) {
              stalled = true;
              Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
            }
          },
          error: (error: unknown) =>
            reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolve(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return events;
}

describe('finding 2: a stream our own overload ends withdraws the text it streamed', () => {
  it('deltas, then a StreamNotice RATE_LIMITED with restart, then the completed AIUnavailable RATE_LIMITED', async () => {
    const events = await streamStalledAfterFirstDelta(nextText());
    expect(events.map((event) => event.__typename)).toEqual([
      'SummaryDelta',
      'StreamNotice',
      'SummarizeCompleted',
    ]);
    expect(events[1]).toEqual({
      __typename: 'StreamNotice',
      reason: 'RATE_LIMITED',
      message: expect.stringContaining('overloaded'),
      restart: true,
    });
    expect(events[2]).toMatchObject({
      __typename: 'SummarizeCompleted',
      result: { __typename: 'AIUnavailable', reason: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
    });
    // Our own lag, not the provider's: no timeout was charged to it.
    const metrics = await harness.metrics();
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'overloaded' })).toBe(1);
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'timeout' })).toBe(0);
  });

  it('a stale entry served after the overload: the notice names the overload (RATE_LIMITED), not REFORMATTED', async () => {
    const text = nextText();
    // The summary cached by a query, then left to go stale.
    expect(await harness.as(TENANT).summarize({ text })).toMatchObject({
      __typename: 'Summary',
      text: SUMMARY,
    });
    await sleep(1_200);
    providers.reset();
    const events = await streamStalledAfterFirstDelta(text);
    expect(providers.openai.requestCount(CHAT)).toBe(1);
    expect(events.map((event) => event.__typename)).toEqual([
      'SummaryDelta',
      'StreamNotice',
      'SummarizeCompleted',
    ]);
    expect(events[1]).toMatchObject({ __typename: 'StreamNotice', reason: 'RATE_LIMITED', restart: true });
    expect(events[2]).toMatchObject({
      __typename: 'SummarizeCompleted',
      result: { __typename: 'Summary', text: SUMMARY, meta: { cached: true } },
    });
  });
});
