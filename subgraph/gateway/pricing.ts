// Cost of a call from the provider's reported token usage and a price table (US dollars per million
// tokens). Embedded defaults cover common models; MODEL_PRICES_JSON adds or overrides entries.
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { TokenUsage } from './providers/model-provider';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

// List prices at the time of writing; operators override them in MODEL_PRICES_JSON when they change.
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'openai:gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'openai:gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'openai:gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'openai:gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'openai:gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'openai:text-embedding-3-small': { inputPerMillion: 0.02, outputPerMillion: 0 },
  'openai:text-embedding-3-large': { inputPerMillion: 0.13, outputPerMillion: 0 },
  'anthropic:claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  'anthropic:claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'anthropic:claude-sonnet-5-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'anthropic:claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25 },
};

const pricesSchema = z.record(
  z.string().regex(/^(openai|anthropic|selfhosted):.+$/, { message: 'keys are provider:model' }),
  z.object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }),
);

export type PriceTable = (provider: string, model: string, usage: TokenUsage) => number;

export function createPriceTable(overridesJson: string | undefined): PriceTable {
  let overrides: Record<string, ModelPrice> = {};
  if (overridesJson) {
    let raw: unknown;
    try {
      raw = JSON.parse(overridesJson);
    } catch {
      throw new ConfigError(
        'MODEL_PRICES_JSON expects JSON like {"openai:gpt-4.1-mini":{"inputPerMillion":0.4,"outputPerMillion":1.6}}',
      );
    }
    const parsed = pricesSchema.safeParse(raw);
    if (!parsed.success)
      throw new ConfigError(`MODEL_PRICES_JSON ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    overrides = parsed.data;
  }
  const prices = { ...DEFAULT_PRICES, ...overrides };
  return (provider, model, usage) => {
    // Self-hosted models cost what the operator's hardware costs, not per token, unless priced explicitly.
    const price = prices[`${provider}:${model}`];
    if (!price) return 0;
    return (
      (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000
    );
  };
}
