// A self-hosted OpenAI-compatible server (vLLM, Ollama, llama.cpp) as a registry entry, enabled by its base
// URL and spoken to through the OpenAI adapter.
import { modelName, optionalString, optionalUrl } from '../../config/env-values';
import { createOpenAIProvider } from './openai-provider';
import { defineProvider } from './provider-entry';

export const selfhostedEntry = defineProvider({
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
  billedPerToken: false,
});
