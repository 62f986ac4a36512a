// Scenario 4: the primary target hangs (the fake OpenAI server accepts chat completions and never answers),
// the secondary (the fake Anthropic server) is healthy. A route table with both targets for summarize, a
// subgraph of its own with everything on. The fault starts when the measured window opens, so the requests
// that meet it first (and the breaker's half-open probes) are in the sample: what a hung primary costs users.
//
// Hedging (issue 13, item 3) is being built as a route option, `hedge`, on by default for summarize with two
// targets: today's code has none, and this scenario measures whatever the code does. `--hedge-config` adds
// a `hedge` value to the summarize route; whether the route table keeps it, drops it (an unknown key of a
// non-strict schema) or refuses it is read through the subgraph's own loadConfig and reported; a refused
// one is left out and the scenario runs without it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../support/child-process';
import type { LoadSpec } from '../support/load';
import { measure } from '../support/measure';
import type { Measured } from '../support/measure';
import { delta } from '../support/metrics';
import type { MetricsSnapshot } from '../support/metrics';
import type { FaultArgs } from '../support/servers/providers-server';
import { SERVERS, expectMember } from '../support/subgraph';
import { loadConfig } from '../../subgraph/config';
import type { LoadShape } from './added-latency';
import { callsByOutcome, featureOutcomes, watchCircuits } from './subgraph-metrics';
import { answerLabels, fullSubgraphEnv, requireTracing, summarizeBody } from './setup';
import type { LatencyRun } from './setup';

/** The registry's default models of each provider (subgraph/gateway/providers/*-entry.ts). */
const PRIMARY = { main: 'gpt-4.1-mini', small: 'gpt-4.1-nano' };
const SECONDARY = { main: 'claude-sonnet-5-5', small: 'claude-haiku-4-5' };
/** The time the default settings leave a request in the worst case (DEADLINE_MS). */
const DEADLINE_MS = 8000;

export function routeTable(hedge: unknown): string {
  const summarize = {
    chain: [
      { provider: 'openai', model: PRIMARY.main },
      { provider: 'anthropic', model: SECONDARY.main },
    ],
    small: {
      maxInputChars: 4000,
      chain: [
        { provider: 'openai', model: PRIMARY.small },
        { provider: 'anthropic', model: SECONDARY.small },
      ],
    },
    ...(hedge === undefined ? {} : { hedge }),
  };
  return JSON.stringify({ tasks: { summarize } });
}

export interface HungPrimaryRun {
  connections: number;
  /** What --hedge-config asked for ('' for nothing) and what the route table made of it. */
  hedgeConfig: string;
  hedge: HedgeStatus;
  measured: Measured;
  /** Server-side summarize durations of the window's requests and the stragglers, by bucket. */
  withinOneSecond: number;
  total: number;
  /** The same requests by `outcome/reason` (ai_feature_requests_total): `full/none` is a model's answer. */
  outcomes: Map<string, number>;
  circuitOpens: string[];
  modelCalls: Map<string, number>;
}

/** What the route table made of `--hedge-config`, read through the subgraph's own loadConfig. */
export type HedgeStatus =
  { kind: 'not asked' } | { kind: 'kept' } | { kind: 'dropped' } | { kind: 'refused'; message: string };

function checkHedge(hedge: unknown, env: Record<string, string>): HedgeStatus {
  if (hedge === undefined) return { kind: 'not asked' };
  try {
    const config = loadConfig({ ...process.env, ...env, GATEWAY_ROUTES_JSON: routeTable(hedge) });
    const route = config.gateway.routes.tasks.summarize as unknown as Record<string, unknown>;
    return route.hedge === undefined ? { kind: 'dropped' } : { kind: 'kept' };
  } catch (error) {
    return { kind: 'refused', message: error instanceof Error ? error.message : String(error) };
  }
}

/** The subgraph with the route table, and `hedge` in it unless the table refuses it. */
async function startRouted(
  run: LatencyRun,
  hedgeConfig: string,
): Promise<{ subgraph: Child; hedge: HedgeStatus }> {
  const asked: unknown = hedgeConfig === '' ? undefined : JSON.parse(hedgeConfig);
  const env = fullSubgraphEnv(run, 'hung-primary');
  const hedge = checkHedge(asked, env);
  if (hedge.kind === 'refused') console.log(`the route table refused hedge ${hedgeConfig}: ${hedge.message}`);
  const routes = routeTable(hedge.kind === 'refused' ? undefined : asked);
  const subgraph = await run.children.start(SERVERS.subgraph, { ...env, GATEWAY_ROUTES_JSON: routes });
  return { subgraph, hedge };
}

function summarizeBuckets(before: MetricsSnapshot, after: MetricsSnapshot, le: string): number {
  return [...delta(before, after, 'ai_feature_duration_seconds_bucket{').entries()]
    .filter(([key]) => key.includes('feature=summarize') && key.includes(`le=${le},`))
    .reduce((sum, [, value]) => sum + value, 0);
}

const setFault = (providers: Child, args: FaultArgs) => providers.call('fault', args);

export async function measureHungPrimary(
  run: LatencyRun,
  connections: number,
  hedgeConfig: string,
  shape: LoadShape,
): Promise<HungPrimaryRun> {
  console.log(`4) primary hung, secondary healthy, ${connections} concurrent`);
  const { subgraph, hedge } = await startRouted(run, hedgeConfig);
  try {
    await requireTracing(subgraph);
    const url = String(subgraph.ready.url);
    await expectMember(url, run.headers, summarizeBody(true)(), 'summarize', 'Summary');
    const spec: LoadSpec = {
      title: `subgraph summarize, primary hung, ${connections} concurrent`,
      url,
      connections,
      durationS: shape.durationS,
      warmupS: shape.warmupS,
      headers: run.headers,
      body: summarizeBody(true),
      classify: answerLabels,
    };
    const watch = watchCircuits(subgraph);
    let before: MetricsSnapshot = [];
    const measured = await measure(
      spec,
      { server: subgraph, others: { providers: run.providers, receiver: run.receiver }, subgraph: true },
      async () => {
        before = await subgraph.call<MetricsSnapshot>('metrics');
        await setFault(run.providers, {
          provider: 'openai',
          fault: { kind: 'hang' },
          path: '/v1/chat/completions',
        });
      },
    );
    // Requests sent in the window that were still open when the load stopped finish server-side first.
    await sleep(DEADLINE_MS + 500);
    const after = await subgraph.call<MetricsSnapshot>('metrics');
    return {
      connections,
      hedgeConfig,
      hedge,
      measured,
      withinOneSecond: summarizeBuckets(before, after, '1'),
      total: summarizeBuckets(before, after, '+Inf'),
      circuitOpens: await watch.stop(),
      modelCalls: callsByOutcome(before, after),
      outcomes: featureOutcomes(before, after, 'summarize'),
    };
  } finally {
    await setFault(run.providers, { provider: 'openai', fault: null }).catch(() => undefined);
    await run.children.stop(subgraph);
  }
}
