// A hung primary behind hedging must still open its circuit. Each race it loses while silent past the hedge
// delay counts one failure in its breaker, so after CIRCUIT_CONSECUTIVE_FAILURES lost races the walk stops
// sending it requests: callers no longer pay the delay, and the dead target is left alone until its cool-down.
// On the code before this, hedges won every race and the primary's circuit never opened.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

jest.setTimeout(60_000);
requirePostgres();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const PRIMARY = 'gpt-primary';
const SECONDARY = 'claude-secondary';
const CONSECUTIVE_FAILURES = 3;
const PRIMARY_TARGET = { provider: 'openai', model: PRIMARY };

let harness: Harness;
let counter = 0;
/** A distinct text per call, so that no cached summary hides a request. */
const report = () =>
  `The quarterly report shows revenue grew by twelve percent while costs stayed flat. Note ${(counter += 1)}.`;

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai', 'anthropic'],
    responder: {
      openai: () => 'The primary summary: revenue grew.',
      anthropic: () => 'Revenue grew while costs stayed flat.',
    },
    env: {
      ATTEMPT_TIMEOUT_MS: '5000',
      DEADLINE_MS: '8000',
      CACHE_TTL_SUMMARIZE_SECONDS: '0',
      CIRCUIT_CONSECUTIVE_FAILURES: String(CONSECUTIVE_FAILURES),
      CIRCUIT_COOLDOWN_MS: '60000',
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: {
          summarize: {
            chain: [PRIMARY_TARGET, { provider: 'anthropic', model: SECONDARY }],
            hedge: { afterMs: 100 },
          },
        },
      }),
    },
  });
});
afterAll(() => harness?.stop());

it('a hung primary that loses every hedged race opens its circuit, and later calls go straight to the secondary', async () => {
  const { openai, anthropic } = harness.providers;
  const client = harness.as('hedge-circuit-co');

  // A warm-up with the primary healthy: the first call's compile and cold start stall the loop, and a race
  // lost behind our own stall rightly counts nothing.
  expect(member(await client.summarize({ text: report(), maxWords: 30 }), 'Summary').meta.provider).toBe(
    'openai',
  );
  openai.faults.always({ kind: 'hang' }, { path: CHAT });
  const circuitOpen = async () => (await harness.metrics()).value('ai_circuit_open', PRIMARY_TARGET);
  let races = 0;
  // Each lost race counts unless a stall of this loop explains it, so allow a few more races than the rule.
  while ((await circuitOpen()) === 0 && races < CONSECUTIVE_FAILURES + 5) {
    const summary = member(await client.summarize({ text: report(), maxWords: 30 }), 'Summary');
    expect(summary.meta.provider).toBe('anthropic');
    races += 1;
  }
  expect(await circuitOpen()).toBe(1);
  expect(races).toBeGreaterThanOrEqual(CONSECUTIVE_FAILURES);
  const primaryRequests = openai.requestCount(CHAT);
  expect(primaryRequests).toBe(races + 1);

  const after = member(await client.summarize({ text: report(), maxWords: 30 }), 'Summary');
  expect(after.meta.provider).toBe('anthropic');
  expect(openai.requestCount(CHAT)).toBe(primaryRequests);
  expect(anthropic.requestCount(MESSAGES)).toBe(races + 1);
  const metrics = await harness.metrics();
  // The lost races were not attempts that timed out: they stay counted as cancelled.
  expect(metrics.value('ai_model_calls_total', { ...PRIMARY_TARGET, outcome: 'timeout' })).toBe(0);
  expect(metrics.value('ai_model_calls_total', { ...PRIMARY_TARGET, outcome: 'cancelled' })).toBe(races);
});
