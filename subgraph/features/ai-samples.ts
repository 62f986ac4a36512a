// aiSamples: the calling tenant's newest kept samples (README, "Quality sampling"), read under its row level
// security; expired ones never come back. Empty for a tenant whose policy keeps no content now, whatever was
// kept before the policy changed.
import { z } from 'zod';
import type { TenantContext } from '../auth/tenant-context';
import type { StoredSample } from '../observability/quality/sample-store';
import type { FeatureDeps } from './feature-deps';
import { parseInput } from './inputs';

export const SAMPLES_LIMIT = { min: 1, max: 100, fallback: 20 } as const;

const between = `must be between ${SAMPLES_LIMIT.min} and ${SAMPLES_LIMIT.max}`;
const argsSchema = z.object({
  limit: z
    .number()
    .int({ message: between })
    .min(SAMPLES_LIMIT.min, { message: between })
    .max(SAMPLES_LIMIT.max, { message: between })
    .nullish()
    .transform((value) => value ?? SAMPLES_LIMIT.fallback),
});

/** A kept sample as the schema's AISample shows it (its chunk ids are kept, not yet exposed). */
export interface AiSampleValue extends Pick<
  StoredSample,
  'requestId' | 'feature' | 'input' | 'output' | 'outcome' | 'reason' | 'quality'
> {
  /** ISO 8601. */
  createdAt: string;
}

export function createAiSamplesFeature(deps: Pick<FeatureDeps, 'samples'>) {
  return async function aiSamples(
    tenant: TenantContext,
    limit: number | null | undefined,
  ): Promise<AiSampleValue[]> {
    const args = parseInput(argsSchema, { limit }, null);
    // The policy as it is now decides, not as it was when a sample was kept: a tenant that has stopped keeping
    // content (or sampling) sees none of what was kept before, and a shortened retention applies at once.
    const { keepContent, rate, retentionDays } = tenant.policy.sampling;
    if (!keepContent || rate === 0) return [];
    const samples = await deps.samples.recent(tenant.tenantId, args.limit, retentionDays);
    return samples.map((sample) => ({
      requestId: sample.requestId,
      feature: sample.feature,
      createdAt: sample.createdAt.toISOString(),
      input: sample.input,
      output: sample.output,
      outcome: sample.outcome,
      reason: sample.reason,
      quality: sample.quality,
    }));
  };
}
