// No false outages: a healthy provider (a real HTTP fake answering in 300 ms) whose answer cannot be read in
// time because this process's event loop is blocked past the attempt timeout (the fake, which runs in the
// subgraph's process, holds the thread with Atomics.wait meanwhile, as a long synchronous turn would) is not
// reported as PROVIDER_TIMEOUT: summarize answers AIUnavailable RATE_LIMITED with retryAfterSeconds, and the
// target's circuit stays closed after more such timeouts than CIRCUIT_CONSECUTIVE_FAILURES. The same target
// hung, the loop free, still times out as PROVIDER_TIMEOUT and opens its circuit: timeouts still mean
// something. (On the code before the lag monitor, the first case is PROVIDER_TIMEOUT and opens the circuit.)
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { requirePostgres } from '../support/services';

requirePostgres();

const TENANT = 'lag-co';
const FAILURES_TO_OPEN = 3;
const ATTEMPT_TIMEOUT_MS = 600;
/** A healthy provider: it answers well inside the attempt timeout. */
const PROVIDER_LATENCY_MS = 300;
/** Longer than the attempt timeout: without the lag monitor, every such attempt times out. */
const BLOCK_MS = 900;
const TEXT = 'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine.';

let blockTheLoop = false;
/**
 * The provider takes PROVIDER_LATENCY_MS to answer; meanwhile, 50 ms into its work, the loop is blocked. When
 * the block ends both the answer and the attempt's clock are due: the clock runs first (its timers phase
 * comes before the socket is read), as it would under a long synchronous turn.
 */
const providers = useFakeProviders(['openai'], async () => {
  if (blockTheLoop)
    setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS), 50);
  await sleep(PROVIDER_LATENCY_MS);
  return 'The glacier retreated forty metres last summer.';
});

let harness: Harness;
let callNumber = 0;

beforeAll(async () => {
  harness = await startHarness({
    providers,
    env: {
      ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
      RETRY_MAX_ATTEMPTS: '1',
      CIRCUIT_CONSECUTIVE_FAILURES: String(FAILURES_TO_OPEN),
      CIRCUIT_RATE_WINDOW: '10000',
      CIRCUIT_COOLDOWN_MS: '600000',
      // Shedding is another suite's subject: here every request must reach the provider.
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
    },
  });
});
afterAll(() => harness?.stop());

/** A distinct text per call, so that no cached summary hides what the provider did. */
function summarize() {
  callNumber += 1;
  return harness.as(TENANT).summarize({ text: `${TEXT} Entry ${callNumber}.` });
}

const openCircuits = async () => (await harness.metrics()).value('ai_circuit_open');
const modelCalls = async (outcome: string) =>
  (await harness.metrics()).value('ai_model_calls_total', { provider: 'openai', outcome });

// In order, on one subgraph: circuits live as long as it does.
describe('attempt timeouts against a stalled event loop', () => {
  it('a healthy provider timed out by our own blocked loop: RATE_LIMITED with retryAfterSeconds, not PROVIDER_TIMEOUT, and its circuit stays closed', async () => {
    blockTheLoop = true;
    for (let i = 0; i < FAILURES_TO_OPEN + 2; i += 1) {
      expect(await summarize()).toEqual({
        __typename: 'AIUnavailable',
        reason: 'RATE_LIMITED',
        message: expect.stringContaining('overloaded'),
        retryAfterSeconds: expect.any(Number),
      });
    }
    // Each call reached the provider: its answer was ready, only unread.
    expect(providers.openai.requestCount('/v1/chat/completions')).toBe(FAILURES_TO_OPEN + 2);
    const metrics = await harness.metrics();
    expect(metrics.value('ai_feature_requests_total', { reason: 'PROVIDER_TIMEOUT' })).toBe(0);
    expect(metrics.value('ai_fallbacks_total', { reason: 'PROVIDER_TIMEOUT' })).toBe(0);
    expect(metrics.value('ai_limit_refusals_total', { limit: 'overload' })).toBe(FAILURES_TO_OPEN + 2);
    expect(await modelCalls('timeout')).toBe(0);
    expect(await modelCalls('overloaded')).toBe(FAILURES_TO_OPEN + 2);
    expect(await openCircuits()).toBe(0);
  });

  it('the circuit being closed, the same provider answers once the loop runs freely', async () => {
    blockTheLoop = false;
    expect(await summarize()).toMatchObject({ __typename: 'Summary', meta: { provider: 'openai' } });
    expect(providers.openai.requestCount('/v1/chat/completions')).toBe(1);
  });

  it('a hung provider, the loop free, still times out as PROVIDER_TIMEOUT and opens its circuit', async () => {
    blockTheLoop = false;
    providers.openai.faults.always({ kind: 'hang' });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      expect(await summarize()).toMatchObject({ __typename: 'DegradedSummary', reason: 'PROVIDER_TIMEOUT' });
    }
    expect(await modelCalls('timeout')).toBe(FAILURES_TO_OPEN);
    expect(await openCircuits()).toBe(1);
    // Open: the next request does not reach the provider.
    expect(await summarize()).toMatchObject({ __typename: 'DegradedSummary', reason: 'CIRCUIT_OPEN' });
    expect(providers.openai.requestCount('/v1/chat/completions')).toBe(FAILURES_TO_OPEN);
  });
});
