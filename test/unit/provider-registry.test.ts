// The provider registry is the one list of providers: the env schema, the configured providers' settings,
// the default routes, the default prices and the names the route table and tenant policies accept all
// derive from it.
import { envSchema, loadConfig } from '../../subgraph/config';
import { DEFAULT_PRICES, createPriceTable } from '../../subgraph/gateway/pricing';
import { configuredProviders } from '../../subgraph/gateway/providers/configured-providers';
import {
  PROVIDER_NAMES,
  PROVIDER_REGISTRY,
  providerNameSchema,
} from '../../subgraph/gateway/providers/registry';
import { targetId } from '../../subgraph/gateway/routing/route-config';

const gatewayOf = (vars: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...vars }).gateway;

describe('the provider registry', () => {
  it('names openai, anthropic and selfhosted, in default chain order', () => {
    expect(PROVIDER_NAMES).toEqual(['openai', 'anthropic', 'selfhosted']);
    expect(providerNameSchema.options).toEqual(PROVIDER_NAMES);
  });

  it('puts every provider variable in the one env schema, with the documented defaults', () => {
    for (const name of PROVIDER_NAMES)
      for (const variable of Object.keys(PROVIDER_REGISTRY[name].env))
        expect(envSchema.shape).toHaveProperty(variable);
    const env = envSchema.parse({});
    expect(env.OPENAI_MODEL).toBe('gpt-4.1-mini');
    expect(env.OPENAI_SMALL_MODEL).toBe('gpt-4.1-nano');
    expect(env.OPENAI_EMBEDDING_MODEL).toBe('text-embedding-3-small');
    expect(env.ANTHROPIC_MODEL).toBe('claude-sonnet-5-5');
    expect(env.ANTHROPIC_SMALL_MODEL).toBe('claude-haiku-4-5');
    expect(env.SELFHOSTED_MODEL).toBe('llama3.1:8b');
    expect(env.SELFHOSTED_EMBEDDING_MODEL).toBeUndefined();
  });

  it('with only anthropic configured: its settings, one adapter, routes from its default models', () => {
    const gateway = gatewayOf({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    expect([...gateway.providers.keys()]).toEqual(['anthropic']);
    expect(gateway.providers.get('anthropic')).toEqual({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:9',
      models: { main: 'claude-sonnet-5-5', small: 'claude-haiku-4-5', embedding: undefined },
    });
    expect([...configuredProviders(gateway.providers).keys()]).toEqual(['anthropic']);
    expect(gateway.routes.tasks.answer.chain.map(targetId)).toEqual(['anthropic:claude-sonnet-5-5']);
    expect(gateway.routes.tasks.summarize.small?.chain.map(targetId)).toEqual(['anthropic:claude-haiku-4-5']);
    expect(gateway.routes.tasks.embed.chain).toEqual([]);
    // The default models' prices come from the same entry, in whole nano-dollars.
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(gateway.prices('anthropic', 'claude-haiku-4-5', usage)).toBe(6_000_000_000);
    expect(gateway.prices('anthropic', 'claude-sonnet-5-5', usage)).toBe(18_000_000_000);
  });

  it('a self-hosted server is enabled by its base URL, with one model for main and small work', () => {
    const gateway = gatewayOf({
      SELFHOSTED_BASE_URL: 'http://127.0.0.1:9/v1',
      SELFHOSTED_MODEL: 'qwen',
      SELFHOSTED_EMBEDDING_MODEL: 'nomic',
    });
    expect(gateway.providers.get('selfhosted')).toEqual({
      apiKey: 'not-needed',
      baseURL: 'http://127.0.0.1:9/v1',
      models: { main: 'qwen', small: 'qwen', embedding: 'nomic' },
    });
    expect(configuredProviders(gateway.providers).get('selfhosted')?.name).toBe('selfhosted');
    expect(gateway.routes.tasks.embed.chain.map(targetId)).toEqual(['selfhosted:nomic']);
  });

  it.each([
    ['OPENAI_BASE_URL', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'proxy.internal:8080/v1' }],
    ['ANTHROPIC_BASE_URL', { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'proxy.internal:8080' }],
    ['SELFHOSTED_BASE_URL', { SELFHOSTED_BASE_URL: 'vllm:8000/v1' }],
  ])('refuses %s without an http:// or https:// scheme, naming it', (variable, vars) => {
    expect(() => gatewayOf(vars)).toThrow(`${variable} expects an http:// or https:// URL`);
  });

  it('keys the default prices provider:model from each entry, and accepts price overrides for every provider', () => {
    for (const name of PROVIDER_NAMES)
      for (const [model, price] of Object.entries(PROVIDER_REGISTRY[name].prices))
        expect(DEFAULT_PRICES[`${name}:${model}`]).toEqual(price);
    expect(Object.keys(DEFAULT_PRICES).every((key) => /^(openai|anthropic):/.test(key))).toBe(true);
    const overrides = Object.fromEntries(
      PROVIDER_NAMES.map((name) => [`${name}:m`, { inputPerMillion: 1, outputPerMillion: 1 }]),
    );
    expect(() => createPriceTable(JSON.stringify(overrides))).not.toThrow();
    expect(() =>
      createPriceTable(JSON.stringify({ 'gemini:m': { inputPerMillion: 1, outputPerMillion: 1 } })),
    ).toThrow(/keys are provider:model/);
  });
});
