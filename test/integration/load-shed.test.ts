// Load shedding: with the event loop made to lag (the test blocks it with Atomics.wait, as a long synchronous
// turn would) past LOAD_SHED_EVENT_LOOP_LAG_MS, a new summarize answers AIUnavailable RATE_LIMITED with
// retryAfterSeconds before any model work (the provider is never asked), a new stream completes at once the
// same way, and each refusal counts in ai_limit_refusals_total{limit="overload"}; once the loop catches up,
// work is served again. With LOAD_SHED_EVENT_LOOP_LAG_MS=0 the same lag sheds nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { requirePostgres } from '../support/services';

requirePostgres();

const TENANT = 'shed-co';
const TEXT = 'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine.';
const providers = useFakeProviders(['openai'], () => 'The glacier retreated forty metres last summer.');

/** Holds the thread for `ms`: every timer due meanwhile, the lag monitor's included, runs that much late. */
function blockLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let callNumber = 0;
/** A distinct text per call: no cached summary answers in the provider's place. */
const nextText = () => `${TEXT} Entry ${(callNumber += 1)}.`;
const chatRequests = () => providers.openai.requestCount('/v1/chat/completions');

describe('with LOAD_SHED_EVENT_LOOP_LAG_MS=100', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ providers, env: { LOAD_SHED_EVENT_LOOP_LAG_MS: '100' } });
  });
  afterAll(() => harness?.stop());

  it('refuses a new summarize while the loop lags, RATE_LIMITED with retryAfterSeconds, before any model work', async () => {
    blockLoop(800);
    expect(await harness.as(TENANT).summarize({ text: nextText() })).toEqual({
      __typename: 'AIUnavailable',
      reason: 'RATE_LIMITED',
      message: expect.stringContaining('overloaded'),
      retryAfterSeconds: expect.any(Number),
    });
    expect(chatRequests()).toBe(0);
    const metrics = await harness.metrics();
    expect(metrics.value('ai_limit_refusals_total', { limit: 'overload', tier: 'none' })).toBe(1);
    expect(
      metrics.value('ai_feature_requests_total', {
        feature: 'summarize',
        outcome: 'unavailable',
        reason: 'RATE_LIMITED',
      }),
    ).toBe(1);
  });

  it('completes a new stream at once with the same refusal', async () => {
    const refusalsBefore = (await harness.metrics()).value('ai_limit_refusals_total', { limit: 'overload' });
    blockLoop(800);
    const events = await harness.as(TENANT).summarizeStream({ text: nextText() });
    expect(events).toEqual([
      {
        __typename: 'SummarizeCompleted',
        result: {
          __typename: 'AIUnavailable',
          reason: 'RATE_LIMITED',
          message: expect.stringContaining('overloaded'),
          retryAfterSeconds: expect.any(Number),
        },
      },
    ]);
    expect(chatRequests()).toBe(0);
    const refusals = (await harness.metrics()).value('ai_limit_refusals_total', { limit: 'overload' });
    expect(refusals).toBe(refusalsBefore + 1);
  });

  it('serves again once the loop has caught up', async () => {
    blockLoop(800);
    // Asked until served: each refusal in between is a request while the lag was still falling.
    let result = await harness.as(TENANT).summarize({ text: nextText() });
    const until = Date.now() + 10_000;
    while (result.__typename !== 'Summary' && Date.now() < until) {
      await sleep(50);
      result = await harness.as(TENANT).summarize({ text: nextText() });
    }
    expect(result).toMatchObject({ __typename: 'Summary', meta: { provider: 'openai' } });
  });
});

describe('with LOAD_SHED_EVENT_LOOP_LAG_MS=0', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ providers, env: { LOAD_SHED_EVENT_LOOP_LAG_MS: '0' } });
  });
  afterAll(() => harness?.stop());

  it('sheds nothing, however the loop lags', async () => {
    blockLoop(800);
    expect(await harness.as(TENANT).summarize({ text: nextText() })).toMatchObject({
      __typename: 'Summary',
      meta: { provider: 'openai' },
    });
    expect(chatRequests()).toBe(1);
    expect((await harness.metrics()).value('ai_limit_refusals_total', { limit: 'overload' })).toBe(0);
  });
});
