// Every model provider the gateway knows, in the order of the default chains. Adding a provider is its adapter
// and entry file beside the others and one line here; its name, the routes' provider enum, the default
// chains, the default prices and its share of the env schema all derive from this list.
import { z } from 'zod';
import { anthropicEntry } from './anthropic-entry';
import { openaiEntry } from './openai-entry';
import type { ProviderSettings } from './provider-entry';
import { selfhostedEntry } from './selfhosted-entry';

export type { ProviderEntry, ProviderSettings } from './provider-entry';

export const PROVIDER_REGISTRY = {
  openai: openaiEntry,
  anthropic: anthropicEntry,
  selfhosted: selfhostedEntry,
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
