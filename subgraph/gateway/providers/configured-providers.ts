// The providers that have credentials or a base URL in the environment; none configured is a valid state
// (the extractive floor serves, and results say NO_PROVIDER_CONFIGURED).
import type { Env } from '../../config';
import { createAnthropicProvider } from './anthropic-provider';
import type { ModelProvider, ProviderName } from './model-provider';
import { createOpenAIProvider } from './openai-provider';

export function configuredProviders(env: Env): Map<ProviderName, ModelProvider> {
  const providers = new Map<ProviderName, ModelProvider>();
  if (env.OPENAI_API_KEY) {
    providers.set(
      'openai',
      createOpenAIProvider({ name: 'openai', apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL }),
    );
  }
  if (env.ANTHROPIC_API_KEY) {
    providers.set(
      'anthropic',
      createAnthropicProvider({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL }),
    );
  }
  if (env.SELFHOSTED_BASE_URL) {
    // Self-hosted servers (vLLM, Ollama, llama.cpp) usually ignore the key, but the SDK requires one.
    providers.set(
      'selfhosted',
      createOpenAIProvider({
        name: 'selfhosted',
        apiKey: env.SELFHOSTED_API_KEY ?? 'not-needed',
        baseURL: env.SELFHOSTED_BASE_URL,
      }),
    );
  }
  return providers;
}
