// Cost from token usage: list prices per million tokens, MODEL_PRICES_JSON overrides, zero for unpriced
// models, and a ConfigError for a price table that does not parse.
import { ConfigError } from '../../subgraph/errors/config-error';
import { DEFAULT_PRICES, createPriceTable } from '../../subgraph/gateway/pricing';

describe('createPriceTable', () => {
  it('prices gpt-4.1-mini at 1000 input + 500 output tokens as $0.0012', () => {
    const price = createPriceTable(undefined);
    expect(price('openai', 'gpt-4.1-mini', { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0012, 12);
  });

  it('prices input and output tokens separately', () => {
    const price = createPriceTable(undefined);
    // claude-sonnet-4-5: $3 in, $15 out per million.
    expect(price('anthropic', 'claude-sonnet-4-5', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(
      3,
      12,
    );
    expect(price('anthropic', 'claude-sonnet-4-5', { inputTokens: 0, outputTokens: 1_000_000 })).toBeCloseTo(
      15,
      12,
    );
    expect(price('anthropic', 'claude-sonnet-4-5', { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });

  it('costs 0 for a model it has no price for, self-hosted ones included', () => {
    const price = createPriceTable(undefined);
    expect(price('openai', 'gpt-unknown', { inputTokens: 5000, outputTokens: 5000 })).toBe(0);
    expect(price('selfhosted', 'llama3.1:8b', { inputTokens: 5000, outputTokens: 5000 })).toBe(0);
    // The provider is part of the key: the same model name under another provider is not priced.
    expect(price('selfhosted', 'gpt-4.1-mini', { inputTokens: 1000, outputTokens: 500 })).toBe(0);
  });

  it('takes overrides and additions from MODEL_PRICES_JSON and keeps the other defaults', () => {
    const price = createPriceTable(
      JSON.stringify({
        'openai:gpt-4.1-mini': { inputPerMillion: 1, outputPerMillion: 2 },
        'selfhosted:llama3.1:8b': { inputPerMillion: 0.05, outputPerMillion: 0.1 },
      }),
    );
    expect(price('openai', 'gpt-4.1-mini', { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.002, 12);
    expect(
      price('selfhosted', 'llama3.1:8b', { inputTokens: 1_000_000, outputTokens: 1_000_000 }),
    ).toBeCloseTo(0.15, 12);
    const nano = DEFAULT_PRICES['openai:gpt-4.1-nano'];
    expect(price('openai', 'gpt-4.1-nano', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(
      nano?.inputPerMillion ?? -1,
      12,
    );
  });

  it('throws ConfigError for MODEL_PRICES_JSON that is not JSON', () => {
    expect(() => createPriceTable('{"openai:gpt-4.1-mini":')).toThrow(ConfigError);
    expect(() => createPriceTable('not json')).toThrow(/MODEL_PRICES_JSON expects JSON/);
  });

  it('throws ConfigError for keys that are not provider:model and for negative or missing prices', () => {
    expect(() =>
      createPriceTable(JSON.stringify({ 'gpt-4.1-mini': { inputPerMillion: 1, outputPerMillion: 1 } })),
    ).toThrow(ConfigError);
    expect(() =>
      createPriceTable(JSON.stringify({ 'openai:m': { inputPerMillion: -1, outputPerMillion: 1 } })),
    ).toThrow(ConfigError);
    expect(() => createPriceTable(JSON.stringify({ 'openai:m': { inputPerMillion: 1 } }))).toThrow(
      ConfigError,
    );
  });

  it('treats an empty MODEL_PRICES_JSON as no overrides', () => {
    const price = createPriceTable('');
    expect(price('openai', 'gpt-4.1-mini', { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0012, 12);
  });
});
