// Scenario 4: the primary target hangs (the fake OpenAI server accepts chat completions and never answers),
// the secondary (the fake Anthropic server) is healthy. A route table with both targets for summarize, a
// subgraph of its own with everything on. The fault starts when the measured window opens, so the requests
// that meet it first (and the breaker's half-open probes) are in the sample: what a hung primary costs users.
//
// Hedging (issue 13, item 3) is being built as a route option, `hedge`, on by default for summarize with two
// targets: today's code has neither, and this scenario measures whatever the code does. `--hedge-config`
// adds a `hedge` value to the summarize route; a route table that refuses it is reported, and the scenario
// runs without it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../support/child-process';
import type { LoadSpec } from '../support/load';
import { measure } from '../support/measure';
import type { Measured } from '../support/measure';
import { delta } from '../support/metrics';
import type { MetricsSnapshot } from '../support/metrics';
import type { FaultArgs } from '../support/servers/providers-server';
import { expectMember } from '../support/subgraph';
import type { LoadShape } from './added-latency';
import { callsByOutcome, featureOutcomes, watchCircuits } from './subgraph-metrics';
import { answerLabels, requireTracing, startFullSubgraph, summarizeBody } from './setup';
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
  /** What --hedge-config asked for ('' for nothing) and, when the route table refused it, why. */
  hedgeConfig: string;
  hedgeRefused: string | null;
  measured: Measured;
  /** Server-side summarize durations of the window's requests and the stragglers, by bucket. */
  withinOneSecond: number;
  total: number;
  /** The same requests by `outcome/reason` (ai_feature_requests_total): `full/none` is a model's answer. */
  outcomes: Map<string, number>;
  circuitOpens: string[];
  modelCalls: Map<string, number>;
}

/** The subgraph with the route table; with a hedge the table refuses, the refusal and one without. */
async function startRouted(
  run: LatencyRun,
  hedgeConfig: string,
): Promise<{ subgraph: Child; refused: string | null }> {
  const hedge: unknown = hedgeConfig === '' ? undefined : JSON.parse(hedgeConfig);
  try {
    const subgraph = await startFullSubgraph(run, 'hung-primary', { GATEWAY_ROUTES_JSON: routeTable(hedge) });
    return { subgraph, refused: null };
  } catch (error) {
    if (hedge === undefined) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const refused = /GATEWAY_ROUTES_JSON[^\n]*/.exec(message)?.[0] ?? message.slice(0, 300);
    console.log(`the route table refused hedge ${hedgeConfig}: ${refused}; running without it`);
    const subgraph = await startFullSubgraph(run, 'hung-primary', {
      GATEWAY_ROUTES_JSON: routeTable(undefined),
    });
    return { subgraph, refused };
  }
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
  const { subgraph, refused } = await startRouted(run, hedgeConfig);
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
      hedgeRefused: refused,
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
