// The shape of one model provider as data: its environment variables (names, defaults), the settings they
// give, its factory and its list prices. Each provider declares its entry beside its adapter; the registry
// lists them, and everything else (names, route enum, default chains, prices, env schema) derives from it.
import type { z } from 'zod';
import type { ModelPrice } from '../pricing';
import type { ModelProvider } from './model-provider';

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
  /**
   * Whether the provider bills per token: then every model a route sends it must have a price, or its calls
   * would count as free against the spend caps. A self-hosted server costs hardware, not tokens.
   */
  billedPerToken: boolean;
}

export const defineProvider = <Shape extends z.ZodRawShape>(entry: ProviderEntry<Shape>) => entry;

/** A price list written as [input, output] US dollars per million tokens, by model. */
export const perMillion = (
  prices: Record<string, [input: number, output: number]>,
): Record<string, ModelPrice> =>
  Object.fromEntries(
    Object.entries(prices).map(([model, [input, output]]) => [
      model,
      { inputPerMillion: input, outputPerMillion: output },
    ]),
  );
