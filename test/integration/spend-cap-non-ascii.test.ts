// Outside review finding: spend caps were exceeded by text that is not English. A call's worst case was reserved
// at four characters a token, but providers bill Chinese, Japanese and Korean at one to two tokens a character:
// a 30,000-character Chinese text reserved about 8,100 tokens, was billed 30,000, and the settle took the tenant
// to three times its cap. The fake providers bill one token per UTF-16 unit outside ASCII, as real tokenizers
// roughly do; the cap must hold against that.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

requirePostgres();

const MODEL = 'gpt-priced';
// $1 per million input tokens, output free: 30,000 input tokens cost $0.03.
const PRICES = { [`openai:${MODEL}`]: { inputPerMillion: 1, outputPerMillion: 0 } };
const DAILY_CAP_USD = 0.02;
const TENANT = `cap-cjk-${process.pid}`;
// 30,000 characters of Chinese: 30,000 tokens billed, a quarter of that under the old estimate.
const CHINESE = '货物在离开港口仓库之前要称重两次。'.repeat(1_765).slice(0, 30_000);

describe('a spend cap holds against text billed at more than four characters a token', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder: () => '货物称重两次。',
      env: {
        CACHE_TTL_SUMMARIZE_SECONDS: '0',
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }], hedge: false } },
        }),
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { [TENANT]: { limits: { dailyCapUsd: DAILY_CAP_USD } } },
        }),
      },
    });
  });

  afterAll(() => harness?.stop());

  it('reserves a Chinese text at what it will be billed: over the room left, no model is called and nothing is spent past the cap', async () => {
    const client = harness.as(TENANT);
    const result = await client.summarize({ text: CHINESE });
    expect(member(result, 'DegradedSummary').reason).toBe('BUDGET_EXCEEDED');
    expect(harness.providers.openai.requestCount('/v1/chat/completions')).toBe(0);
    const usage = await client.usage();
    expect(usage.spendUsdToday).toBeLessThanOrEqual(DAILY_CAP_USD);
  });
});
