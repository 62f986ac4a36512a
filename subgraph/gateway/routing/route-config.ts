// Routing as data: for each task an ordered chain of targets (provider + model), a small-model chain for
// simple work, a deadline, and per-tenant provider restrictions. Read from GATEWAY_ROUTES_FILE or
// GATEWAY_ROUTES_JSON; defaults are derived from whichever providers are configured.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '../../config';
import { ConfigError } from '../../errors/config-error';
import type { ProviderName } from '../providers/model-provider';

export const TASKS = ['summarize', 'answer', 'embed'] as const;
export type Task = (typeof TASKS)[number];

const providerName = z.enum(['openai', 'anthropic', 'selfhosted']);

const targetSchema = z.object({
  provider: providerName,
  model: z.string().min(1),
  timeoutMs: z.number().int().min(50).max(120_000).optional(),
});

const taskRouteSchema = z.object({
  chain: z.array(targetSchema),
  small: z.object({ maxInputChars: z.number().int().min(0), chain: z.array(targetSchema).min(1) }).optional(),
  deadlineMs: z.number().int().min(100).max(120_000).optional(),
});

const tenantPolicySchema = z.object({ allowedProviders: z.array(providerName).min(1) });

const routesFileSchema = z.object({
  tasks: z.partialRecord(z.enum(TASKS), taskRouteSchema).default({}),
  // Only its shape here: each policy is validated from the raw entries (see rawTenantEntries).
  tenants: z.record(z.string(), z.unknown()).optional(),
});

export type Target = z.infer<typeof targetSchema>;
export type TaskRoute = z.infer<typeof taskRouteSchema>;
export interface TenantPolicy {
  allowedProviders: ProviderName[];
}

export interface RouteTable {
  tasks: Record<Task, TaskRoute>;
  tenants: ReadonlyMap<string, TenantPolicy>;
}

export const targetId = (target: Pick<Target, 'provider' | 'model'>): string =>
  `${target.provider}:${target.model}`;

export function defaultRoutes(env: Env, configured: ReadonlySet<ProviderName>): Record<Task, TaskRoute> {
  const main: Target[] = [];
  const small: Target[] = [];
  const embed: Target[] = [];
  if (configured.has('openai')) {
    main.push({ provider: 'openai', model: env.OPENAI_MODEL });
    small.push({ provider: 'openai', model: env.OPENAI_SMALL_MODEL });
    embed.push({ provider: 'openai', model: env.OPENAI_EMBEDDING_MODEL });
  }
  if (configured.has('anthropic')) {
    main.push({ provider: 'anthropic', model: env.ANTHROPIC_MODEL });
    small.push({ provider: 'anthropic', model: env.ANTHROPIC_SMALL_MODEL });
  }
  if (configured.has('selfhosted')) {
    main.push({ provider: 'selfhosted', model: env.SELFHOSTED_MODEL });
    small.push({ provider: 'selfhosted', model: env.SELFHOSTED_MODEL });
    if (env.SELFHOSTED_EMBEDDING_MODEL)
      embed.push({ provider: 'selfhosted', model: env.SELFHOSTED_EMBEDDING_MODEL });
  }
  const simple =
    small.length > 0 ? { maxInputChars: env.SMALL_MODEL_MAX_INPUT_CHARS, chain: small } : undefined;
  return {
    summarize: { chain: main, small: simple },
    answer: { chain: main },
    embed: { chain: embed },
  };
}

export function loadRouteTable(env: Env, configured: ReadonlySet<ProviderName>): RouteTable {
  const defaults = defaultRoutes(env, configured);
  let raw: unknown = {};
  const variable = env.GATEWAY_ROUTES_FILE ? 'GATEWAY_ROUTES_FILE' : 'GATEWAY_ROUTES_JSON';
  try {
    if (env.GATEWAY_ROUTES_FILE) raw = JSON.parse(readFileSync(env.GATEWAY_ROUTES_FILE, 'utf8'));
    else if (env.GATEWAY_ROUTES_JSON) raw = JSON.parse(env.GATEWAY_ROUTES_JSON);
  } catch (error) {
    throw new ConfigError(
      `${variable} expects readable JSON (${error instanceof Error ? error.message : 'unreadable'})`,
    );
  }
  const parsed = routesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${variable} at ${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const tasks = { ...defaults, ...parsed.data.tasks } as Record<Task, TaskRoute>;
  for (const task of TASKS) {
    for (const target of [...tasks[task].chain, ...(tasks[task].small?.chain ?? [])]) {
      if (!configured.has(target.provider)) {
        throw new ConfigError(
          `${variable} routes ${task} to ${target.provider}, which has no credentials or base URL set`,
        );
      }
    }
  }
  const tenants = new Map<string, TenantPolicy>();
  for (const [tenantId, policy] of rawTenantEntries(raw)) {
    const checked = tenantPolicySchema.safeParse(policy);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const path = ['tenants', tenantId, ...(issue?.path ?? []).map(String)].join('.');
      throw new ConfigError(`${variable} at ${path}: ${issue?.message ?? 'invalid'}`);
    }
    tenants.set(tenantId, checked.data);
  }
  return { tasks, tenants };
}

// Read from the raw JSON: JSON.parse keeps a `__proto__` key as an own property, zod's record would not.
function rawTenantEntries(raw: unknown): [string, unknown][] {
  if (typeof raw !== 'object' || raw === null || !Object.hasOwn(raw, 'tenants')) return [];
  const tenants = (raw as { tenants: unknown }).tenants;
  return typeof tenants === 'object' && tenants !== null ? Object.entries(tenants) : [];
}
