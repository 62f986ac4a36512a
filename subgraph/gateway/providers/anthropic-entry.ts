// Anthropic as a registry entry: enabled by ANTHROPIC_API_KEY; main and small models; list prices.
import { modelName, optionalString, optionalUrl } from '../../config/env-values';
import { createAnthropicProvider } from './anthropic-provider';
import { defineProvider, perMillion } from './provider-entry';

export const anthropicEntry = defineProvider({
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
  billedPerToken: true,
  prices: perMillion({
    'claude-haiku-4-5': [1, 5],
    'claude-sonnet-4-5': [3, 15],
    'claude-sonnet-5-5': [3, 15],
    'claude-opus-4-5': [5, 25],
  }),
});
