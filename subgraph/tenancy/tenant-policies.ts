// The tenant policy document: every per-tenant rule in one place, `{ "default": {…}, "tenants": { id: {…} } }`,
// validated once at start by one strict schema (an unknown key is refused, never ignored). A tenant's entry
// is merged over `default` key by key; a tenant without an entry gets `default`.
import { z } from 'zod';
import { documentError } from '../config/json-document';
import type { JsonDocument } from '../config/json-document';
import { TENANT_ID_PATTERN } from '../auth/tenant-context';
import { providerNameSchema } from '../gateway/providers/registry';
import type { ProviderName } from '../gateway/providers/registry';
import { DEFAULT_JOBS_POLICY, jobsPolicySchema } from './jobs-policy';
import type { JobsPolicy } from './jobs-policy';

/** Every key optional: a tenant's `limits` is merged over the default's key by key, then over the built-in one. */
const limitsSchema = z.strictObject({
  /** Streams (askStream, summarizeStream) the tenant may hold open at once, over every replica. */
  maxConcurrentStreams: z
    .number()
    .int({ message: 'expects an integer between 1 and 1000000' })
    .min(1, { message: 'expects an integer between 1 and 1000000' })
    .max(1_000_000, { message: 'expects an integer between 1 and 1000000' })
    .optional(),
  /** Model spend per calendar month (UTC), US dollars; reserved before each call, never exceeded. */
  monthlyCapUsd: z.number().positive({ message: 'expects an amount in US dollars above 0' }).optional(),
  /** Model spend per calendar day (UTC), US dollars; optional beside the monthly cap. */
  dailyCapUsd: z.number().positive({ message: 'expects an amount in US dollars above 0' }).optional(),
  /** AI requests reaching the model path per minute, over every replica (a cache hit does not count). */
  requestsPerMinute: z
    .number()
    .int({ message: 'expects an integer between 1 and 1000000' })
    .min(1, { message: 'expects an integer between 1 and 1000000' })
    .max(1_000_000, { message: 'expects an integer between 1 and 1000000' })
    .optional(),
  /** Model tokens (input estimate + output) per minute, over every replica. */
  tokensPerMinute: z
    .number()
    .int({ message: 'expects an integer between 1 and 1000000000' })
    .min(1, { message: 'expects an integer between 1 and 1000000000' })
    .max(1_000_000_000, { message: 'expects an integer between 1 and 1000000000' })
    .optional(),
});

/** A topic rule: a lowercase phrase matched on word boundaries in the question (see guardrails/input/topics.ts). */
const topicSchema = z
  .string()
  .trim()
  .min(2, { message: 'expects a topic of 2 to 80 characters' })
  .max(80, { message: 'expects a topic of 2 to 80 characters' });

/** Every key optional: merged over the default's `guardrails` key by key, then over DEFAULT_GUARDRAILS. */
const guardrailsSchema = z.strictObject({
  /** The input rail on a question that reads as an injection: refuse it, answer and count it, or skip the screen. */
  injection: z.enum(['block', 'flag', 'off']).optional(),
  /** A retrieved chunk flagged at ingest: left out of the prompt, or fenced in it as quoted data. */
  flaggedChunks: z.enum(['omit', 'fence']).optional(),
  /** PII replaced by typed placeholders before any provider call (completions and embeddings), restored after. */
  redactBeforeProvider: z.boolean().optional(),
  /** An unsupported answer sentence: dropped (the answer rejected when too little is left), or the answer rejected. */
  grounding: z.enum(['drop', 'reject']).optional(),
  /** Questions must match an allowed topic (when any is given) and no denied one. */
  topics: z
    .strictObject({
      allow: z.array(topicSchema).max(200).optional(),
      deny: z.array(topicSchema).max(200).optional(),
    })
    .optional(),
});

/** Every key optional: merged over the default's `sampling` key by key, then over DEFAULT_SAMPLING. */
const samplingSchema = z.strictObject({
  /** The share of the tenant's requests graded for quality, 0..1; 0 keeps and grades nothing. */
  rate: z
    .number()
    .min(0, { message: 'expects a share between 0 and 1' })
    .max(1, { message: 'expects a share between 0 and 1' })
    .optional(),
  /** Whether sampled requests' input and output are stored (redacted) for the tenant's ai:admin to read. */
  keepContent: z.boolean().optional(),
  /** Days a kept sample lives before it is deleted. */
  retentionDays: z
    .number()
    .int({ message: 'expects an integer between 1 and 3650' })
    .min(1, { message: 'expects an integer between 1 and 3650' })
    .max(3650, { message: 'expects an integer between 1 and 3650' })
    .optional(),
});

// Later rules (jobs) join as keys of this one entry.
const policyEntrySchema = z.strictObject({
  /** The only providers the tenant's content may reach; one that is not configured is a valid choice. */
  allowedProviders: z.array(providerNameSchema).min(1).optional(),
  /** A bounded label (a metrics dimension), never the tenant id. */
  tier: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, { message: 'expects a label of 1 to 32 characters a-z, 0-9, _ or -' })
    .optional(),
  limits: limitsSchema.optional(),
  guardrails: guardrailsSchema.optional(),
  sampling: samplingSchema.optional(),
  jobs: jobsPolicySchema.optional(),
});

type PolicyEntry = z.infer<typeof policyEntrySchema>;

const tenantIdSchema = z
  .string()
  .regex(TENANT_ID_PATTERN, { message: 'expects a tenant id (1 to 64 characters A-Z, a-z, 0-9, _ or -)' });

export const tenantPoliciesSchema = z.strictObject({
  default: policyEntrySchema.optional(),
  tenants: z.record(tenantIdSchema, policyEntrySchema).optional(),
});

export interface TenantLimits {
  readonly maxConcurrentStreams: number;
  /** Unset: no cap. */
  readonly monthlyCapUsd?: number;
  readonly dailyCapUsd?: number;
  /** Unset: no rate limit. */
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

export interface TopicScope {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export interface GuardrailPolicy {
  readonly injection: 'block' | 'flag' | 'off';
  readonly flaggedChunks: 'omit' | 'fence';
  readonly redactBeforeProvider: boolean;
  readonly grounding: 'drop' | 'reject';
  /** Empty lists: every topic is in scope. */
  readonly topics: TopicScope;
}

export interface SamplingPolicy {
  readonly rate: number;
  readonly keepContent: boolean;
  readonly retentionDays: number;
}

export interface TenantPolicy {
  /** Undefined: every configured provider may serve the tenant. */
  readonly allowedProviders?: readonly ProviderName[];
  readonly tier?: string;
  /** Always complete: what neither the tenant's entry nor `default` sets comes from DEFAULT_TENANT_LIMITS. */
  readonly limits: TenantLimits;
  /** Always complete, like limits: unset keys come from DEFAULT_GUARDRAILS. */
  readonly guardrails: GuardrailPolicy;
  /** Always complete, like limits: unset keys come from DEFAULT_SAMPLING. */
  readonly sampling: SamplingPolicy;
  /** Always complete, like limits: unset keys come from DEFAULT_JOBS_POLICY. */
  readonly jobs: JobsPolicy;
}

export interface TenantPolicies {
  /** The tenant's entry merged over the default; the default when the tenant has no entry. */
  forTenant(tenantId: string): TenantPolicy;
}

/**
 * The limits of a tenant whose policy sets none: generous (a benchmark holding 1,000 streams of one tenant
 * fits), yet a bound, so one tenant cannot open provider streams without end.
 */
export const DEFAULT_TENANT_LIMITS: TenantLimits = Object.freeze({ maxConcurrentStreams: 1_000 });

/**
 * The rails of a tenant whose policy sets none: injections in questions answered but counted, flagged chunks
 * kept out of prompts, unsupported sentences dropped, no redaction (it costs semantic search quality, so a
 * tenant opts in), every topic in scope.
 */
export const DEFAULT_GUARDRAILS: GuardrailPolicy = Object.freeze({
  injection: 'flag',
  flaggedChunks: 'omit',
  redactBeforeProvider: false,
  grounding: 'drop',
  topics: Object.freeze({ allow: [], deny: [] }),
});

/**
 * Quality sampling of a tenant whose policy sets none: one request in twenty graded, no content kept (a tenant
 * opts in to having its questions and answers stored), 30 days' retention once it does.
 */
export const DEFAULT_SAMPLING: SamplingPolicy = Object.freeze({
  rate: 0.05,
  keepContent: false,
  retentionDays: 30,
});

/** The policy of every tenant when no document is configured: no provider restricted, the default limits, rails and sampling. */
export const DEFAULT_TENANT_POLICY: TenantPolicy = Object.freeze({
  limits: DEFAULT_TENANT_LIMITS,
  guardrails: DEFAULT_GUARDRAILS,
  sampling: DEFAULT_SAMPLING,
  jobs: DEFAULT_JOBS_POLICY,
});

export function loadTenantPolicies(document: JsonDocument | undefined): TenantPolicies {
  if (!document) return { forTenant: () => DEFAULT_TENANT_POLICY };
  const parsed = tenantPoliciesSchema.safeParse(document.raw);
  if (!parsed.success) throw documentError(document.label, parsed.error.issues[0]);
  const fallback = merged(DEFAULT_TENANT_POLICY, parsed.data.default ?? {});
  const policies = new Map<string, TenantPolicy>();
  for (const [tenantId, entry] of rawTenantEntries(document.raw)) {
    // Checked again one by one: zod's record skips a `__proto__` key, which must keep its policy.
    const id = tenantIdSchema.safeParse(tenantId);
    if (!id.success) throw documentError(document.label, id.error.issues[0], ['tenants', tenantId]);
    const checked = policyEntrySchema.safeParse(entry);
    if (!checked.success) throw documentError(document.label, checked.error.issues[0], ['tenants', tenantId]);
    policies.set(tenantId, merged(fallback, checked.data));
  }
  return { forTenant: (tenantId) => policies.get(tenantId) ?? fallback };
}

/** `entry` over `base` key by key, and `limits`, `guardrails`, `sampling` and `jobs` likewise, one key at a time. */
function merged(base: TenantPolicy, entry: PolicyEntry): TenantPolicy {
  const rails = entry.guardrails ?? {};
  return Object.freeze({
    ...base,
    ...entry,
    limits: Object.freeze({ ...base.limits, ...entry.limits }),
    sampling: Object.freeze({ ...base.sampling, ...entry.sampling }),
    jobs: Object.freeze({ ...base.jobs, ...entry.jobs }),
    guardrails: Object.freeze({
      ...base.guardrails,
      ...rails,
      topics: Object.freeze({
        allow: rails.topics?.allow ?? base.guardrails.topics.allow,
        deny: rails.topics?.deny ?? base.guardrails.topics.deny,
      }),
    }),
  });
}

// Read from the raw JSON: JSON.parse keeps a `__proto__` key as an own property, zod's record does not.
function rawTenantEntries(raw: unknown): [string, unknown][] {
  if (typeof raw !== 'object' || raw === null || !Object.hasOwn(raw, 'tenants')) return [];
  const tenants = (raw as { tenants: unknown }).tenants;
  return typeof tenants === 'object' && tenants !== null ? Object.entries(tenants) : [];
}
