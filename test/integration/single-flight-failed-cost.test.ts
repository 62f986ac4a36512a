// Identical calls in flight at once share one walk (single-flight). When every reply that walk got was refused
// by an output rail, the walk fails with what those replies cost: paid once, so reported (and recorded in the
// tenant's usage ledger) once, by the leader; the callers that joined it add nothing.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

jest.setTimeout(60_000);
requirePostgres();

const CHAT = '/v1/chat/completions';
const MODEL = 'gpt-railed';
const SOURCE = 'The quarterly report shows that revenue grew while costs stayed flat across every region.';
/** A number, a year and a name the source lacks: the summary rail refuses it, with no repair. */
const INVENTED = 'Revenue grew by 87 percent in 2031, said Bartholomew Quince.';
const CALLERS = 3;

describe('single-flight on a walk whose replies every rail refused', () => {
  const tenant = `flight-cost-${randomBytes(4).toString('hex')}`;
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      // Slow enough that every caller joins the leader's flight before its one reply comes back.
      responder: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return INVENTED;
      },
      env: {
        CACHE_TTL_SUMMARIZE_SECONDS: '0',
        MODEL_PRICES_JSON: JSON.stringify({
          [`openai:${MODEL}`]: { inputPerMillion: 1, outputPerMillion: 1 },
        }),
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } },
        }),
      },
    });
  });

  afterAll(() => harness?.stop());

  it("callers that join an in-flight call do not each record the leader's failed-walk cost again", async () => {
    const client = harness.as(tenant);
    const results = await Promise.all(
      Array.from({ length: CALLERS }, () => client.summarize({ text: SOURCE, maxWords: 30 })),
    );
    const degraded = results.map((result) => member(result, 'DegradedSummary'));
    for (const summary of degraded) expect(summary.reason).toBe('GUARDRAIL_REJECTED');
    // One walk, one model call, for all three callers.
    expect(harness.providers.requestCount(CHAT)).toBe(1);
    const reportedNanos = degraded.map((summary) => Math.round(summary.meta.costUsd * 1e9));
    const oneCharge = Math.max(...reportedNanos);
    expect(oneCharge).toBeGreaterThan(0);
    // The ledger holds the one charge the provider made, not one per caller.
    const usage = await client.usage();
    expect(usage.requestsToday).toBe(CALLERS);
    expect(Math.round(usage.spendUsdThisMonth * 1e9)).toBe(oneCharge);
    expect(usage.byFeature).toEqual([
      expect.objectContaining({ feature: 'summarize', requests: CALLERS, costUsd: oneCharge / 1e9 }),
    ]);
    // The leader reports the refused reply's cost; the joiners report none.
    expect([...reportedNanos].sort((a, b) => a - b)).toEqual([0, 0, oneCharge]);
  });
});
