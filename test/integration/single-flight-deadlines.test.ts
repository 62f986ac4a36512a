// Identical completions in flight at once share one provider call, yet each caller is held to its own
// deadline, not to the leader's: a joiner stops waiting when its own deadline ends, and a joiner with time left
// when the leader's deadline runs out makes the call itself, under its own deadline, paying for it alone. A
// joiner whose deadline ends first is served a stale entry when one is within its grace, as the leader is.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CompletionOutcome, GatewayCall } from '../../subgraph/gateway/gateway';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import { embedGateway } from '../support/embed-gateway';
import type { EmbedGateway } from '../support/embed-gateway';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, useFakeProviders } from '../support/harness';

const CHAT = '/v1/chat/completions';
const TEXT = 'The quarterly report shows that revenue grew while costs stayed flat across every region.';

const providers = useFakeProviders(['openai']);

function gateway(env: Record<string, string> = {}): EmbedGateway {
  // The attempt timeout stays above the provider's latency: only the callers' deadlines can cut a call short.
  return embedGateway({
    ...providers.env,
    ATTEMPT_TIMEOUT_MS: '5000',
    ...FAST_RETRIES,
    ...CIRCUITS_STAY_CLOSED,
    ...env,
  });
}

let requestNumber = 0;

/** The same summary for every call of one tenant: one flight key. */
function summarize(built: EmbedGateway, tenantId: string, deadlineMs: number) {
  const call: GatewayCall = {
    task: 'summarize',
    tenantId,
    requestId: `flight-deadline-${(requestNumber += 1)}`,
    promptName: 'summarize',
    variables: { text: TEXT, maxWords: 30 },
    cacheScope: 'same-input',
    inputChars: TEXT.length,
    deadline: new Deadline(deadlineMs),
  };
  const started = performance.now();
  return built.gateway.complete(call).then((outcome) => ({ outcome, tookMs: performance.now() - started }));
}

const newTenant = () => `flight-deadline-${randomBytes(4).toString('hex')}`;

const answeredAlone = (outcome: CompletionOutcome) =>
  expect(outcome).toMatchObject({ kind: 'answered', cached: false, costNanos: expect.any(Number) });

describe('single-flight with callers of different deadlines', () => {
  it("answers a joiner with time left when the leader's deadline runs out, from a call of its own", async () => {
    providers.openai.faults.setLatency(700);
    const built = gateway();
    const tenant = newTenant();
    const leader = summarize(built, tenant, 500);
    await sleep(20);
    const joiner = summarize(built, tenant, 2000);

    const [led, joined] = await Promise.all([leader, joiner]);
    expect(led.outcome).toMatchObject({ kind: 'failed', reason: 'PROVIDER_TIMEOUT' });
    answeredAlone(joined.outcome);
    // The joiner pays for its own call: the leader's timed-out one has no cost it could inherit.
    expect(joined.outcome.costNanos).toBeGreaterThan(0);
    expect(providers.openai.requestCount(CHAT)).toBe(2);
  });

  it('ends a joiner with less time than the leader at its own deadline, with a timeout', async () => {
    providers.openai.faults.setLatency(700);
    const built = gateway();
    const tenant = newTenant();
    const leader = summarize(built, tenant, 3000);
    let leaderAnswered = false;
    void leader.then(() => (leaderAnswered = true));
    await sleep(20);
    const joined = await summarize(built, tenant, 300);

    expect(joined.outcome).toEqual({ kind: 'failed', reason: 'PROVIDER_TIMEOUT', retryAfterSeconds: null });
    // By its own deadline, well before the provider (700 ms) could answer the leader.
    expect(leaderAnswered).toBe(false);
    expect(joined.tookMs).toBeGreaterThanOrEqual(290);
    expect(joined.tookMs).toBeLessThan(600);
    // The leader's call went on, and its answer (and cost) is the leader's alone.
    answeredAlone((await leader).outcome);
    expect(providers.openai.requestCount(CHAT)).toBe(1);
  });

  it('serves a joiner whose own deadline ends first the stale entry, as the leader is served', async () => {
    // A shorter attempt timeout, still past the joiner's deadline: the leader's hung walk fails within seconds.
    const built = gateway({ CACHE_TTL_SUMMARIZE_SECONDS: '1', ATTEMPT_TIMEOUT_MS: '1000' });
    const tenant = newTenant();
    const first = (await summarize(built, tenant, 3000)).outcome;
    answeredAlone(first);
    // Past the entry's TTL, within its stale grace (a day by default).
    await sleep(1_200);
    providers.openai.faults.always({ kind: 'hang' });

    const leader = summarize(built, tenant, 8000);
    await sleep(20);
    const joined = await summarize(built, tenant, 300);

    // The entry as it was stored, at no cost to the caller: the walk that failed paid for no reply.
    const stale = {
      kind: 'answered',
      text: first.kind === 'answered' && first.text,
      cached: true,
      costNanos: 0,
    };
    expect(joined.outcome).toMatchObject(stale);
    expect(joined.tookMs).toBeGreaterThanOrEqual(290);
    expect(joined.tookMs).toBeLessThan(600);
    // The leader's walk fails later (no attempt is answered) and serves the same entry.
    const led = await leader;
    expect(led.outcome).toMatchObject(stale);
    const metrics = await built.metrics();
    expect(metrics.value('ai_cache_lookups_total', { task: 'summarize', result: 'stale' })).toBe(2);
  });

  it('still makes one provider call for identical concurrent calls with ample deadlines', async () => {
    providers.openai.faults.setLatency(200);
    const built = gateway();
    const tenant = newTenant();
    const [first, second] = await Promise.all([
      summarize(built, tenant, 3000),
      summarize(built, tenant, 3000),
    ]);

    answeredAlone(first.outcome);
    // The joiner is served the leader's answer, with no cost of its own.
    expect(second.outcome).toMatchObject({ kind: 'answered', cached: true, costNanos: 0, usage: null });
    expect(providers.openai.requestCount(CHAT)).toBe(1);
  });
});
