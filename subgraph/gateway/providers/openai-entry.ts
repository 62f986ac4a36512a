// OpenAI as a registry entry: enabled by OPENAI_API_KEY; main, small and embedding models; list prices.
import { modelName, optionalString, optionalUrl } from '../../config/env-values';
import { createOpenAIProvider } from './openai-provider';
import { defineProvider, perMillion } from './provider-entry';

export const openaiEntry = defineProvider({
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
  billedPerToken: true,
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
});
