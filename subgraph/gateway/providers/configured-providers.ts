// The adapters of the configured providers, each built by its registry entry; none configured is a valid
// state (the extractive floor serves, and results say NO_PROVIDER_CONFIGURED).
import type { ModelProvider } from './model-provider';
import { PROVIDER_REGISTRY } from './registry';
import type { ProviderName, ProvidersConfig } from './registry';

export function configuredProviders(providers: ProvidersConfig): Map<ProviderName, ModelProvider> {
  const adapters = new Map<ProviderName, ModelProvider>();
  for (const [name, settings] of providers) adapters.set(name, PROVIDER_REGISTRY[name].create(settings));
  return adapters;
}
