// Scenario 3: 200 concurrent summarize cache misses against a healthy 50 ms provider, on a subgraph of its
// own with everything on (so no circuit state carries over from the other scenarios). A provider that
// answers in 50 ms is never at fault here: any circuit the subgraph opens, any PROVIDER_TIMEOUT it answers,
// is its own CPU queueing charged to the provider. Shedding (AIUnavailable RATE_LIMITED) is the honest
// answer to overload, allowed up to a share.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadSpec } from '../support/load';
import { measure } from '../support/measure';
import type { Measured } from '../support/measure';
import type { MetricsSnapshot } from '../support/metrics';
import { expectMember } from '../support/subgraph';
import type { LoadShape } from './added-latency';
import { callsByOutcome, featureOutcomes, watchCircuits } from './subgraph-metrics';
import { answerLabels, isSummary, requireTracing, startFullSubgraph, summarizeBody } from './setup';
import type { LatencyRun } from './setup';

/** Connections of the JIT warm-up before the burst: enough to warm the code, too few to queue for the CPU. */
const WARMUP_CONNECTIONS = 10;
/** How long the counts wait for the requests still open when the load stops: the attempt timeout and some. */
const STRAGGLERS_MS = 6000;

export interface OverloadRun {
  connections: number;
  measured: Measured;
  /** Targets whose circuit opened (0 → 1 of ai_circuit_open) over the burst, warm-up included. */
  circuitOpens: string[];
  /** ai_model_calls_total by `provider:model:outcome` over the burst, warm-up included. */
  modelCalls: Map<string, number>;
  /** summarize requests by `outcome/reason` (ai_feature_requests_total) over the burst and its stragglers. */
  outcomes: Map<string, number>;
  /** Responses of the window by answer. */
  responses: number;
  providerTimeouts: number;
  /** Attempts that timed out against any target (ai_model_calls_total outcome timeout), over the burst. */
  attemptTimeouts: number;
  shed: number;
  /** Neither a summary nor shed: the floor for any reason, errors. */
  otherAnswers: number;
}

const count = (measured: Measured, label: string) => measured.load.counts[label] ?? 0;

export async function measureOverload(
  run: LatencyRun,
  connections: number,
  shape: LoadShape,
): Promise<OverloadRun> {
  console.log(`3) ${connections} concurrent against a healthy provider`);
  const subgraph = await startFullSubgraph(run, 'overload');
  try {
    await requireTracing(subgraph);
    const url = String(subgraph.ready.url);
    await expectMember(url, run.headers, summarizeBody(true)(), 'summarize', 'Summary');
    const spec: LoadSpec = {
      title: `subgraph summarize, cache miss, all on, ${connections} concurrent`,
      url,
      connections,
      durationS: shape.durationS,
      warmupS: 1,
      headers: run.headers,
      body: summarizeBody(true),
      classify: answerLabels,
      verify: isSummary,
    };
    await measure(
      {
        ...spec,
        title: 'JIT warm-up',
        connections: WARMUP_CONNECTIONS,
        durationS: shape.warmupS,
        warmupS: 0,
      },
      { server: subgraph },
    );
    const before = await subgraph.call<MetricsSnapshot>('metrics');
    const watch = watchCircuits(subgraph);
    const measured = await measure(spec, {
      server: subgraph,
      others: { providers: run.providers, receiver: run.receiver },
      subgraph: true,
    });
    // Requests still open when the load stopped finish before the counts are read (a timed-out attempt
    // would take ATTEMPT_TIMEOUT_MS; its circuit opening or not is seen by the watch meanwhile).
    await sleep(STRAGGLERS_MS);
    const circuitOpens = await watch.stop();
    const after = await subgraph.call<MetricsSnapshot>('metrics');
    const modelCalls = callsByOutcome(before, after);
    const outcomes = featureOutcomes(before, after, 'summarize');
    const responses = measured.load.responses;
    const shed = count(measured, 'answer:AIUnavailable/RATE_LIMITED');
    const summaries = count(measured, 'typename:Summary');
    return {
      connections,
      measured,
      circuitOpens,
      modelCalls,
      outcomes,
      responses,
      providerTimeouts: count(measured, 'reason:PROVIDER_TIMEOUT'),
      attemptTimeouts: [...modelCalls.entries()]
        .filter(([key]) => key.endsWith(' timeout'))
        .reduce((sum, [, value]) => sum + value, 0),
      shed,
      otherAnswers: responses - summaries - shed,
    };
  } finally {
    await run.children.stop(subgraph);
  }
}
