// What every scenario of the latency benchmark shares: the subgraph configured with everything a deployment
// has on, a tenant of the run's own (so its Redis keys are its own, and removed at the end), the request
// bodies of the three paths, and the labels and checks of their answers.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Child, ChildGroup } from '../support/child-process';
import { generateDocuments } from '../support/corpus';
import { graphqlLabels } from '../support/load';
import type { PromptSample } from '../support/servers/providers-server';
import { fakeProviderEnv, SERVERS, subgraphEnv, tenantHeaders } from '../support/subgraph';

export const PROVIDER_LATENCY_MS = 50;
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** A tenant id per run: its rate, spend and cache keys in Redis carry it, so the run never reads another's. */
export const RUN_TENANT = `bench_latency_${randomBytes(4).toString('hex')}`;

/**
 * Caps and rate limits a deployment would set, far above what the run spends or sends, so every check runs
 * (one Lua script per reservation and per rate check, in Redis) and none refuses.
 */
export const TENANT_POLICIES = JSON.stringify({
  default: {
    tier: 'standard',
    limits: {
      monthlyCapUsd: 100_000,
      dailyCapUsd: 10_000,
      requestsPerMinute: 1_000_000,
      tokensPerMinute: 1_000_000_000,
    },
  },
});

export interface LatencyRun {
  children: ChildGroup;
  headers: Record<string, string>;
  providers: Child;
  receiver: Child;
  logDir: string;
  /** Added to every subgraph's environment (--subgraph-env), e.g. a setting of a change being measured. */
  extraEnv: Record<string, string>;
}

/** The run's tenant token, the fake providers (50 ms) and the OTLP receiver, each a child of `children`. */
export async function startLatencyRun(
  children: ChildGroup,
  logDir: string,
  extraEnv: Record<string, string> = {},
): Promise<LatencyRun> {
  return {
    children,
    headers: await tenantHeaders(RUN_TENANT),
    providers: await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS),
    }),
    receiver: await children.start(SERVERS.otlpReceiver, { NODE_ENV: 'production' }),
    logDir,
    extraEnv,
  };
}

/**
 * A subgraph with guardrails (the default rails), spend caps and rate limits in Redis, the completion cache
 * in Redis, metrics, traces exported over OTLP/HTTP to the local receiver, and logs at `info` to a file.
 */
export function startFullSubgraph(run: LatencyRun, name: string): Promise<Child> {
  return run.children.start(SERVERS.subgraph, fullSubgraphEnv(run, name));
}

/** The environment of `startFullSubgraph`; its log file is named after `name`. */
export function fullSubgraphEnv(run: LatencyRun, name: string): Record<string, string> {
  return subgraphEnv({
    ...fakeProviderEnv(run.providers),
    REDIS_URL,
    TENANT_POLICIES_JSON: TENANT_POLICIES,
    LOG_LEVEL: 'info',
    BENCH_LOG_FILE: path.join(run.logDir, `${name}.log`),
    BENCH_TENANT: RUN_TENANT,
    OTEL_SERVICE_NAME: 'ai-subgraph-bench',
    OTEL_EXPORTER_OTLP_ENDPOINT: String(run.receiver.ready.endpoint),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    ...run.extraEnv,
  });
}

/**
 * The comparison's control (--plain): the same subgraph with what a deployment adds on top of its core off:
 * logs silent, no tracing SDK, quality sampling 0, no caps or rate limits. Redis stays (completion cache and
 * usage ledger): without it the ledger is written to PGlite in the subgraph's own process, and a run so
 * configured came out slower than everything on (14.5 against 7.9 ms of server CPU per response at 50).
 */
export function startPlainSubgraph(run: LatencyRun): Promise<Child> {
  return run.children.start(
    SERVERS.subgraph,
    subgraphEnv({
      ...fakeProviderEnv(run.providers),
      REDIS_URL,
      BENCH_TENANT: RUN_TENANT,
      OTEL_SDK_DISABLED: 'true',
      TENANT_POLICIES_JSON: JSON.stringify({ default: { sampling: { rate: 0 } } }),
      ...run.extraEnv,
    }),
  );
}

/** A run with the tracing exporter missing (a mistyped variable) would measure less than it says: check. */
export async function requireTracing(subgraph: Child): Promise<void> {
  const exporting = await subgraph.call<string>('tracing');
  if (exporting !== 'otlp http/protobuf') throw new Error(`the subgraph's tracing is ${exporting}`);
}

const SUMMARIZE = `query Q($text: String!) {
  summarize(input: { text: $text }) {
    __typename
    ... on Summary { text meta { provider model cached } }
    ... on DegradedSummary { reason meta { provider cached } }
    ... on AIUnavailable { reason retryAfterSeconds }
  }
}`;
// About 2,000 characters: under SMALL_MODEL_MAX_INPUT_CHARS, so summarize takes the small-model chain.
const SUMMARY_TEXT = (generateDocuments(1, 2000, 7)[0]?.body ?? '').slice(0, 2000);

// One sequence for the whole run: no two requests of any path carry the same text.
let sequence = 0;
/** `summarize` with a text of its own per request (a cache miss) or the same text every time (a hit). */
export const summarizeBody = (unique: boolean) => () =>
  JSON.stringify({
    query: SUMMARIZE,
    variables: { text: unique ? `Ticket zq${sequence++}. ${SUMMARY_TEXT}` : SUMMARY_TEXT },
  });

/** The chat completion the subgraph sent for a summary (as the fake saw it), with a unique tail per request. */
export const chatBody = (sample: PromptSample) => () =>
  JSON.stringify({
    model: sample.model,
    max_tokens: sample.maxTokens ?? 700,
    messages: [
      { role: 'system', content: sample.system },
      { role: 'user', content: `${sample.user} (request ${sequence++})` },
    ],
  });

export const HELLO_BODY = '{"query":"{ hello }"}';

/** graphqlLabels plus `answer:<__typename>/<reason or ->`, which tells a shed request from a floor's. */
export function answerLabels(status: number, body: string): string[] {
  const labels = graphqlLabels(status, body);
  const typename = labels.find((label) => label.startsWith('typename:'))?.slice('typename:'.length);
  const reason = labels.find((label) => label.startsWith('reason:'))?.slice('reason:'.length);
  return [...labels, `answer:${typename ?? 'none'}/${reason ?? '-'}`];
}

export const chatLabels = (status: number, body: string): string[] =>
  status !== 200 ? [`status:${status}`] : body.includes('"chat.completion"') ? ['ok'] : ['wrong body'];
export const isChatCompletion = (status: number, body: string): boolean =>
  status === 200 && body.includes('"chat.completion"');
export const isSummary = (status: number, body: string): boolean =>
  status === 200 && body.includes('"__typename":"Summary"');

/** Removes every Redis key of the run's tenant (rate log, spend, completion cache, usage). */
export async function removeTenantKeys(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${RUN_TENANT}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
