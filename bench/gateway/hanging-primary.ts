// The gateway benchmark's last step: `ask` with the primary provider hanging and the secondary healthy, with
// hedging on (the default for `answer`) and off, each with the default circuit breaker and with a breaker held
// closed, plus a control run with no fault. What the breakers and the hedges did is read from the subgraph's
// own metrics (ai_model_calls_total, ai_hedges_total), as an operator would.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../support/child-process';
import { measure } from '../support/measure';
import type { Measured } from '../support/measure';
import { delta } from '../support/metrics';
import type { MetricsSnapshot } from '../support/metrics';
import type { FaultArgs } from '../support/servers/providers-server';
import { expectMember } from '../support/subgraph';
import {
  ATTEMPT_TIMEOUT_MS,
  DEADLINE_MS,
  WARMUP_CONNECTIONS,
  askBody,
  startSubgraph,
  subgraphSpec,
} from './scenarios';
import type { GatewayRun } from './scenarios';

export interface HangRun {
  name: string;
  /** False for the control run (no fault). */
  hang: boolean;
  env: Record<string, string>;
  measured: Measured;
  /** ai_model_calls_total over the ask warm-up (before the fault), over the window, and for one probe after it. */
  warmupCalls: Map<string, number>;
  modelCalls: Map<string, number>;
  probeCalls: Map<string, number>;
  /** ai_hedges_total over the window. */
  hedges: Map<string, number>;
  /** Server-side ask durations by bucket, including requests that finished after the window closed. */
  featureBuckets: { le1s: number; le2500ms: number; total: number };
}

const TYPENAME = '{"query":"{ __typename }"}';

function featureBuckets(before: MetricsSnapshot, after: MetricsSnapshot): HangRun['featureBuckets'] {
  const buckets = delta(before, after, 'ai_feature_duration_seconds_bucket{');
  const at = (le: string) =>
    [...buckets.entries()]
      .filter(([key]) => key.includes('feature=ask') && key.includes(`le=${le},`))
      .reduce((sum, [, count]) => sum + count, 0);
  return { le1s: at('1'), le2500ms: at('2.5'), total: at('+Inf') };
}

/** ai_model_calls_total over whatever `work` does. */
async function modelCallsOver(server: Child, work: () => Promise<unknown>): Promise<Map<string, number>> {
  const before = await server.call<MetricsSnapshot>('metrics');
  await work();
  return delta(before, await server.call<MetricsSnapshot>('metrics'), 'ai_model_calls_total');
}

const setFault = (providers: Child, args: FaultArgs) => providers.call('fault', args);

async function hangVariant(
  run: GatewayRun,
  variant: { name: string; env: Record<string, string>; hang: boolean; durationS: number },
): Promise<HangRun> {
  const env = {
    DEADLINE_MS: String(DEADLINE_MS),
    ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
    ...variant.env,
  };
  const server = await startSubgraph(run, env);
  const url = String(server.ready.url);
  await expectMember(url, run.headers, askBody(true)(), 'ask', 'Answer');
  // At 100 connections this machine's own queueing can push healthy calls past the 500 ms attempt timeout and
  // open both breakers before the fault starts (the control variant measures exactly that). So the ask path is
  // warmed up at low concurrency in a run of its own; the measured run then opens its connections with a cheap
  // authenticated `{ __typename }` for the warm-up, touching neither providers nor breakers, and switches every
  // connection to `ask` when the window opens. The fault is already on.
  const warmupCalls = await modelCallsOver(server, async () => {
    const warmup = subgraphSpec(run, `${variant.name}, warm-up`, url, askBody(true));
    await measure(
      { ...warmup, connections: WARMUP_CONNECTIONS, durationS: run.settings.warmupS, warmupS: 0 },
      {
        server,
      },
    );
  });
  if (variant.hang) await setFault(run.providers, { provider: 'openai', fault: { kind: 'hang' } });
  const before = await server.call<MetricsSnapshot>('metrics');
  const spec = { ...subgraphSpec(run, variant.name, url, askBody(true)), durationS: variant.durationS };
  const measured = await measure(
    { ...spec, warmupBody: () => TYPENAME },
    { server, others: { providers: run.providers }, subgraph: true },
  );
  // Let the requests still open at the end finish server-side before reading the histograms.
  await sleep(DEADLINE_MS + 1000);
  const after = await server.call<MetricsSnapshot>('metrics');
  // One more ask: which targets its breakers let it try tells their state at the end.
  const probeCalls = await modelCallsOver(server, () =>
    expectMember(url, run.headers, askBody(true)(), 'ask', 'Answer').catch(() => null),
  );
  await setFault(run.providers, { provider: 'openai', fault: null });
  await run.children.stop(server);
  return {
    name: variant.name,
    hang: variant.hang,
    env,
    measured,
    warmupCalls,
    modelCalls: delta(before, after, 'ai_model_calls_total'),
    hedges: delta(before, after, 'ai_hedges_total'),
    probeCalls,
    featureBuckets: featureBuckets(before, after),
  };
}

const BREAKER_HELD_CLOSED = { CIRCUIT_CONSECUTIVE_FAILURES: '1000', CIRCUIT_FAILURE_RATE: '1' };
// The default answer chain (openai then anthropic, their default main models) with hedging off.
const HEDGING_OFF = {
  GATEWAY_ROUTES_JSON: JSON.stringify({
    tasks: {
      answer: {
        chain: [
          { provider: 'openai', model: 'gpt-4.1-mini' },
          { provider: 'anthropic', model: 'claude-sonnet-5-5' },
        ],
        hedge: false,
      },
    },
  }),
};

/**
 * d) the control, then the hang with hedging on (the default) and off, each with the default breaker and with
 * one held closed. A hedge that lost counts nothing in its breaker, so with hedging on the hung primary's
 * breaker stays closed and every request waits the hedge's delay; with it off, each request waits the attempt
 * timeout until the breaker opens.
 */
export async function measureHangingPrimary(run: GatewayRun): Promise<HangRun[]> {
  console.log('d) hanging primary');
  const { durationS, hangClosedS } = run.settings;
  const closedS = Math.min(durationS, hangClosedS);
  const variants: { name: string; env: Record<string, string>; hang: boolean; durationS: number }[] = [
    { name: 'no fault (control)', env: {}, hang: false, durationS },
    { name: 'hang, hedging on, default breaker', env: {}, hang: true, durationS },
    { name: 'hang, hedging on, breaker held closed', env: BREAKER_HELD_CLOSED, hang: true, durationS },
    { name: 'hang, hedging off, default breaker', env: HEDGING_OFF, hang: true, durationS },
    {
      name: 'hang, hedging off, breaker held closed',
      env: { ...HEDGING_OFF, ...BREAKER_HELD_CLOSED },
      hang: true,
      durationS: closedS,
    },
  ];
  const runs: HangRun[] = [];
  for (const variant of variants) runs.push(await hangVariant(run, variant));
  return runs;
}
