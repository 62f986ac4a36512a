// The price table prices a call once, in whole nano-dollars, so sums of costs are sums of integers.
import { createPriceTable, usdOfNanos } from '../../subgraph/gateway/pricing';

describe('price table', () => {
  const prices = createPriceTable(
    JSON.stringify({ 'openai:cheap': { inputPerMillion: 0.0137, outputPerMillion: 0.0411 } }),
  );

  it('rounds a call to the nearest whole nano-dollar, once', () => {
    // 15 × 13.7 + 4 × 41.1 = 369.9 nano-dollars.
    expect(prices('openai', 'cheap', { inputTokens: 15, outputTokens: 4 })).toBe(370);
    // 1 × 13.7 = 13.7: a cost a micro-dollar ledger would have rounded to nothing.
    expect(prices('openai', 'cheap', { inputTokens: 1, outputTokens: 0 })).toBe(14);
  });

  it('prices an unlisted model at zero, and converts nanos to dollars exactly for small sums', () => {
    expect(prices('selfhosted', 'llama', { inputTokens: 1000, outputTokens: 1000 })).toBe(0);
    expect(usdOfNanos(2_075)).toBe(0.000002075);
  });
});
