// The tenant policy document: every per-tenant rule in one place, `{ "default": {…}, "tenants": { id: {…} } }`,
// validated once at start by one strict schema (an unknown key is refused, never ignored). A tenant's entry
// is merged over `default` key by key; a tenant without an entry gets `default`.
import { z } from 'zod';
import { documentError } from '../config/json-document';
import type { JsonDocument } from '../config/json-document';
import { TENANT_ID_PATTERN } from '../auth/tenant-context';
import { providerNameSchema } from '../gateway/providers/registry';
import type { ProviderName } from '../gateway/providers/registry';

/** Every key optional: a tenant's `limits` is merged over the default's key by key, then over the built-in one. */
const limitsSchema = z.strictObject({
  /** Streams (askStream, summarizeStream) the tenant may hold open at once, over every replica. */
  maxConcurrentStreams: z
    .number()
    .int({ message: 'expects an integer between 1 and 1000000' })
    .min(1, { message: 'expects an integer between 1 and 1000000' })
    .max(1_000_000, { message: 'expects an integer between 1 and 1000000' })
    .optional(),
});

// Later rules (guardrails, sampling, jobs) join as keys of this one entry.
const policyEntrySchema = z.strictObject({
  /** The only providers the tenant's content may reach; one that is not configured is a valid choice. */
  allowedProviders: z.array(providerNameSchema).min(1).optional(),
  /** A bounded label (a metrics dimension), never the tenant id. */
  tier: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, { message: 'expects a label of 1 to 32 characters a-z, 0-9, _ or -' })
    .optional(),
  limits: limitsSchema.optional(),
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
}

export interface TenantPolicy {
  /** Undefined: every configured provider may serve the tenant. */
  readonly allowedProviders?: readonly ProviderName[];
  readonly tier?: string;
  /** Always complete: what neither the tenant's entry nor `default` sets comes from DEFAULT_TENANT_LIMITS. */
  readonly limits: TenantLimits;
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

/** The policy of every tenant when no document is configured: no provider restricted, the default limits. */
export const DEFAULT_TENANT_POLICY: TenantPolicy = Object.freeze({ limits: DEFAULT_TENANT_LIMITS });

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

/** `entry` over `base` key by key, and `limits` likewise, one limit at a time. */
function merged(base: TenantPolicy, entry: PolicyEntry): TenantPolicy {
  return Object.freeze({
    ...base,
    ...entry,
    limits: Object.freeze({ ...base.limits, ...entry.limits }),
  });
}

// Read from the raw JSON: JSON.parse keeps a `__proto__` key as an own property, zod's record does not.
function rawTenantEntries(raw: unknown): [string, unknown][] {
  if (typeof raw !== 'object' || raw === null || !Object.hasOwn(raw, 'tenants')) return [];
  const tenants = (raw as { tenants: unknown }).tenants;
  return typeof tenants === 'object' && tenants !== null ? Object.entries(tenants) : [];
}
