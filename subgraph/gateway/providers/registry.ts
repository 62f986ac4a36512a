// Every model provider the gateway knows, as data: its environment variables (names, defaults), the settings
// they give, its factory and its list prices. Adding a provider is one entry here; its name, the routes'
// provider enum, the default chains, the default prices and its share of the env schema all derive from it.
import { z } from 'zod';
import { modelName, optionalString, optionalUrl } from '../../config/env-values';
import type { ModelPrice } from '../pricing';
import { createAnthropicProvider } from './anthropic-provider';
import type { ModelProvider } from './model-provider';
import { createOpenAIProvider } from './openai-provider';

/** What a configured provider was given: how to reach it, and the models its default targets use. */
export interface ProviderSettings {
  apiKey: string;
  baseURL: string | undefined;
  /** `small` serves simple work; `embedding` is absent where the provider embeds nothing by default. */
  models: { main: string; small: string; embedding: string | undefined };
}

export interface ProviderEntry<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** The provider's environment variables, with their zod schemas, as they appear in the one env schema. */
  env: Shape;
  /** Its settings from those variables once parsed; undefined when it is not configured. */
  settings(env: z.output<z.ZodObject<Shape>>): ProviderSettings | undefined;
  create(settings: ProviderSettings): ModelProvider;
  /** List prices (US dollars per million tokens) by model; MODEL_PRICES_JSON overrides them. */
  prices: Readonly<Record<string, ModelPrice>>;
}

const defineProvider = <Shape extends z.ZodRawShape>(entry: ProviderEntry<Shape>) => entry;

/** A price list written as [input, output] US dollars per million tokens, by model. */
const perMillion = (prices: Record<string, [input: number, output: number]>): Record<string, ModelPrice> =>
  Object.fromEntries(
    Object.entries(prices).map(([model, [input, output]]) => [
      model,
      { inputPerMillion: input, outputPerMillion: output },
    ]),
  );

// The order of the entries is the order of the default chains.
export const PROVIDER_REGISTRY = {
  openai: defineProvider({
    env: {
      OPENAI_API_KEY: optionalString,
      OPENAI_BASE_URL: optionalUrl,
      OPENAI_MODEL: modelName('gpt-4.1-mini'),
      OPENAI_SMALL_MODEL: modelName('gpt-4.1-nano'),
      OPENAI_EMBEDDING_MODEL: modelName('text-embedding-3-small'),
    },
    settings: (env) =>
      env.OPENAI_API_KEY === undefined
        ? undefined
        : {
            apiKey: env.OPENAI_API_KEY,
            baseURL: env.OPENAI_BASE_URL,
            models: {
              main: env.OPENAI_MODEL,
              small: env.OPENAI_SMALL_MODEL,
              embedding: env.OPENAI_EMBEDDING_MODEL,
            },
          },
    create: (settings) => createOpenAIProvider({ name: 'openai', ...settings }),
    // List prices at the time of writing; operators override them in MODEL_PRICES_JSON when they change.
    prices: perMillion({
      'gpt-4.1': [2, 8],
      'gpt-4.1-mini': [0.4, 1.6],
      'gpt-4.1-nano': [0.1, 0.4],
      'gpt-4o': [2.5, 10],
      'gpt-4o-mini': [0.15, 0.6],
      'text-embedding-3-small': [0.02, 0],
      'text-embedding-3-large': [0.13, 0],
    }),
  }),
  anthropic: defineProvider({
    env: {
      ANTHROPIC_API_KEY: optionalString,
      ANTHROPIC_BASE_URL: optionalUrl,
      ANTHROPIC_MODEL: modelName('claude-sonnet-5-5'),
      ANTHROPIC_SMALL_MODEL: modelName('claude-haiku-4-5'),
    },
    settings: (env) =>
      env.ANTHROPIC_API_KEY === undefined
        ? undefined
        : {
            apiKey: env.ANTHROPIC_API_KEY,
            baseURL: env.ANTHROPIC_BASE_URL,
            // Anthropic has no embeddings endpoint.
            models: { main: env.ANTHROPIC_MODEL, small: env.ANTHROPIC_SMALL_MODEL, embedding: undefined },
          },
    create: (settings) => createAnthropicProvider(settings),
    prices: perMillion({
      'claude-haiku-4-5': [1, 5],
      'claude-sonnet-4-5': [3, 15],
      'claude-sonnet-5-5': [3, 15],
      'claude-opus-4-5': [5, 25],
    }),
  }),
  // An OpenAI-compatible server (vLLM, Ollama, llama.cpp), enabled by its base URL.
  selfhosted: defineProvider({
    env: {
      SELFHOSTED_BASE_URL: optionalUrl,
      SELFHOSTED_MODEL: modelName('llama3.1:8b'),
      SELFHOSTED_API_KEY: optionalString,
      SELFHOSTED_EMBEDDING_MODEL: optionalString,
    },
    settings: (env) =>
      env.SELFHOSTED_BASE_URL === undefined
        ? undefined
        : {
            // Self-hosted servers usually ignore the key, but the SDK requires one.
            apiKey: env.SELFHOSTED_API_KEY ?? 'not-needed',
            baseURL: env.SELFHOSTED_BASE_URL,
            // One model serves both: a self-hosted server rarely runs a second, smaller one.
            models: {
              main: env.SELFHOSTED_MODEL,
              small: env.SELFHOSTED_MODEL,
              embedding: env.SELFHOSTED_EMBEDDING_MODEL,
            },
          },
    create: (settings) => createOpenAIProvider({ name: 'selfhosted', ...settings }),
    // Self-hosted models cost what the operator's hardware costs, not per token, unless priced explicitly.
    prices: {},
  }),
};

export type ProviderName = keyof typeof PROVIDER_REGISTRY;

export const PROVIDER_NAMES = Object.keys(PROVIDER_REGISTRY) as [ProviderName, ...ProviderName[]];

export const providerNameSchema = z.enum(PROVIDER_NAMES);

export const isProviderName = (value: string): value is ProviderName =>
  Object.hasOwn(PROVIDER_REGISTRY, value);

/** The settings of each configured provider, in registry order. */
export type ProvidersConfig = ReadonlyMap<ProviderName, ProviderSettings>;

type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type RegistryEnvShape = Intersection<(typeof PROVIDER_REGISTRY)[ProviderName]['env']>;

/** Every provider's environment variables, for the env schema. */
export const providerEnvShape = Object.assign(
  {},
  ...PROVIDER_NAMES.map((name) => PROVIDER_REGISTRY[name].env),
) as RegistryEnvShape;

/** The configured providers' settings from the parsed environment. */
export function providerSettingsFrom(env: z.output<z.ZodObject<RegistryEnvShape>>): ProvidersConfig {
  const providers = new Map<ProviderName, ProviderSettings>();
  for (const name of PROVIDER_NAMES) {
    const settings = PROVIDER_REGISTRY[name].settings(env);
    if (settings) providers.set(name, settings);
  }
  return providers;
}
