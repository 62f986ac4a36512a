// Routing as data: for each task an ordered chain of targets (provider + model), a small-model chain for
// simple work, and a deadline. Read from a JSON document (the route table); defaults are derived from the
// configured providers' registry settings. Per-tenant rules live in the tenant policy document, not here.
import { z } from 'zod';
import { documentError } from '../../config/json-document';
import type { JsonDocument } from '../../config/json-document';
import { ConfigError } from '../../errors/config-error';
import { PROVIDER_NAMES, providerNameSchema } from '../providers/registry';
import type { ProvidersConfig } from '../providers/registry';

/** `guard`: the optional classifier of questions (issue 10's input rail); no default chain, so off unless routed. */
export const TASKS = ['summarize', 'answer', 'embed', 'guard'] as const;
export type Task = (typeof TASKS)[number];

// Strict at every level: a misspelt key (`timeoutMS`, `smal`) would otherwise be dropped without a word, and the
// setting it meant silently not applied.
const targetSchema = z.strictObject({
  provider: providerNameSchema,
  model: z.string().min(1),
  timeoutMs: z.number().int().min(50).max(120_000).optional(),
});

/**
 * Hedged requests (hedged-attempt.ts): `false` never hedges; `true` or `{}` starts the next target once the
 * attempt has gone unanswered for its target's observed p95 latency; `{ afterMs }` after a fixed delay.
 */
const hedgeSchema = z.union(
  [z.boolean(), z.strictObject({ afterMs: z.number().int().min(10).max(120_000).optional() })],
  { error: 'expected false, true or { "afterMs": an integer from 10 to 120000 }' },
);

const taskRouteSchema = z.strictObject({
  chain: z.array(targetSchema),
  small: z
    .strictObject({ maxInputChars: z.number().int().min(0), chain: z.array(targetSchema).min(1) })
    .optional(),
  deadlineMs: z.number().int().min(100).max(120_000).optional(),
  hedge: hedgeSchema.optional(),
});

const routesFileSchema = z.strictObject({
  tasks: z.partialRecord(z.enum(TASKS), taskRouteSchema).default({}),
});

export type Target = z.infer<typeof targetSchema>;
export type TaskRoute = z.infer<typeof taskRouteSchema>;
export type HedgeSetting = z.infer<typeof hedgeSchema>;

/**
 * What a route that does not name `hedge` gets: on for the tasks a user waits on (when the chain has a second
 * target, which hedging needs anyway); off for the guard's verdict, a cheap call inside a request.
 * Embeddings are never hedged (a route naming it is refused).
 */
export const DEFAULT_HEDGE: Record<Task, HedgeSetting> = {
  answer: true,
  summarize: true,
  embed: false,
  guard: false,
};

export interface RouteTable {
  tasks: Record<Task, TaskRoute>;
}

/** Every target a task's route may send to: its chain, then its small-model chain. */
export const targetsOf = (route: TaskRoute): Target[] => [...route.chain, ...(route.small?.chain ?? [])];

/** A target's id, `provider:model`; also the name of an embedding model's vector space in the store. */
export const targetId = (target: { provider: string; model: string }): string =>
  `${target.provider}:${target.model}`;

/** Each configured provider in registry order: its main, small and embedding models. */
export function defaultRoutes(
  providers: ProvidersConfig,
  smallModelMaxInputChars: number,
): Record<Task, TaskRoute> {
  const main: Target[] = [];
  const small: Target[] = [];
  const embed: Target[] = [];
  for (const provider of PROVIDER_NAMES) {
    const settings = providers.get(provider);
    if (!settings) continue;
    main.push({ provider, model: settings.models.main });
    small.push({ provider, model: settings.models.small });
    if (settings.models.embedding) embed.push({ provider, model: settings.models.embedding });
  }
  const simple = small.length > 0 ? { maxInputChars: smallModelMaxInputChars, chain: small } : undefined;
  return {
    summarize: { chain: main, small: simple },
    answer: { chain: main },
    embed: { chain: embed },
    // A general chat model is no injection classifier: the guard runs only where a route names one.
    guard: { chain: [] },
  };
}

/** The default routes, with each task the document names replaced by its route. */
export function loadRouteTable(
  document: JsonDocument | undefined,
  providers: ProvidersConfig,
  smallModelMaxInputChars: number,
): RouteTable {
  const defaults = defaultRoutes(providers, smallModelMaxInputChars);
  if (!document) return { tasks: defaults };
  const parsed = routesFileSchema.safeParse(document.raw);
  if (!parsed.success) {
    throw documentError(document.label, parsed.error.issues[0]);
  }
  const tasks = { ...defaults, ...parsed.data.tasks } as Record<Task, TaskRoute>;
  const embedHedge = tasks.embed.hedge;
  if (embedHedge !== undefined && embedHedge !== false) {
    throw new ConfigError(`${document.label} at tasks.embed.hedge: embeddings are never hedged; remove it`);
  }
  // Embeddings are chosen with no input length, so a small chain would always win and the main one never run.
  if (tasks.embed.small) {
    throw new ConfigError(
      `${document.label} at tasks.embed.small: embeddings have no small chain; remove it`,
    );
  }
  for (const task of TASKS) {
    for (const target of targetsOf(tasks[task])) {
      if (!providers.has(target.provider)) {
        throw new ConfigError(
          `${document.label} routes ${task} to ${target.provider}, which has no credentials or base URL set`,
        );
      }
    }
  }
  return { tasks };
}
