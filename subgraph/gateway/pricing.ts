// Cost of a call from the provider's reported token usage and a price table (US dollars per million
// tokens). The provider registry's list prices are the defaults; MODEL_PRICES_JSON adds or overrides entries.
// A call's cost is rounded once, here, to whole nano-dollars: every later sum (a result's cost, the usage
// ledger) adds integers, so `usage` equals the sum of the costs reported in AIMeta exactly.
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { TokenUsage } from './providers/model-provider';
import { PROVIDER_NAMES, PROVIDER_REGISTRY, isProviderName } from './providers/registry';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** The registry's list prices, keyed `provider:model`. */
export const DEFAULT_PRICES: Record<string, ModelPrice> = Object.fromEntries(
  PROVIDER_NAMES.flatMap((provider) =>
    Object.entries(PROVIDER_REGISTRY[provider].prices).map(([model, price]) => [
      `${provider}:${model}`,
      price,
    ]),
  ),
);

const pricesSchema = z.record(
  z.string().refine(
    (key) => {
      const colon = key.indexOf(':');
      return colon > 0 && colon < key.length - 1 && isProviderName(key.slice(0, colon));
    },
    { message: 'keys are provider:model' },
  ),
  z.object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }),
);

/** A call's cost in integer nano-dollars (1e-9 USD). */
export type PriceTable = (provider: string, model: string, usage: TokenUsage) => number;

export const NANOS_PER_USD = 1_000_000_000;

/** Nano-dollars as US dollars, for AIMeta, `usage` and logs: the one conversion, never summed after. */
export const usdOfNanos = (nanos: number): number => nanos / NANOS_PER_USD;

/** Back to the whole nano-dollars a reported amount was made of (exact: it is one division of them). */
export const nanosOfUsd = (usd: number): number => Math.round(usd * NANOS_PER_USD);

/** The price list: the registry's list prices under MODEL_PRICES_JSON's entries, keyed `provider:model`. */
export function priceListFrom(overridesJson: string | undefined): Record<string, ModelPrice> {
  if (!overridesJson) return { ...DEFAULT_PRICES };
  let raw: unknown;
  try {
    raw = JSON.parse(overridesJson);
  } catch {
    throw new ConfigError(
      'MODEL_PRICES_JSON expects JSON like {"openai:gpt-4.1-mini":{"inputPerMillion":0.4,"outputPerMillion":1.6}}',
    );
  }
  const parsed = pricesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // A bad key's own message ("keys are provider:model") is nested under zod's "Invalid key in record".
    const message = issue?.code === 'invalid_key' ? issue.issues[0]?.message : issue?.message;
    throw new ConfigError(`MODEL_PRICES_JSON ${message ?? 'is invalid'}`);
  }
  return { ...DEFAULT_PRICES, ...parsed.data };
}

export function createPriceTable(overridesJson: string | undefined): PriceTable {
  return priceTableOf(priceListFrom(overridesJson));
}

export function priceTableOf(prices: Readonly<Record<string, ModelPrice>>): PriceTable {
  return (provider, model, usage) => {
    // Self-hosted models cost what the operator's hardware costs, not per token, unless priced explicitly.
    const price = prices[`${provider}:${model}`];
    if (!price) return 0;
    // Dollars per million tokens are nano-dollars per thousandth of a token: one rounding, per call.
    return Math.round(
      ((usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) *
        NANOS_PER_USD) /
        1_000_000,
    );
  };
}
