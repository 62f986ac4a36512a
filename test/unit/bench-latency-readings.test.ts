// What bench:latency reads to score issue 13's targets: circuit opens from successive metrics snapshots,
// summarize outcomes and model calls between two snapshots (the real prom-client registry, as the subgraph's
// /metrics serves it), a shed answer told from a floor's, and a hung-primary route table today's config loads.
import { loadConfig } from '../../subgraph/config';
import { createMetrics } from '../../subgraph/observability/metrics';
import type { Metrics } from '../../subgraph/observability/metrics';
import { routeTable } from '../../bench/latency/hung-primary';
import { answerLabels } from '../../bench/latency/setup';
import { CircuitOpens, callsByOutcome, featureOutcomes } from '../../bench/latency/subgraph-metrics';
import type { MetricsSnapshot } from '../../bench/support/metrics';

/** A copy, as the child's IPC channel delivers it: prom-client's JSON shares its counters' live value objects. */
const snapshot = async (metrics: Metrics): Promise<MetricsSnapshot> =>
  JSON.parse(JSON.stringify(await metrics.registry.getMetricsAsJSON())) as MetricsSnapshot;
const nano = { provider: 'openai', model: 'gpt-4.1-nano' };

describe('bench:latency readings', () => {
  it('counts each 0 → 1 of a target circuit as one open, and a circuit open from the start as one', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const seen = new CircuitOpens();
    metrics.circuitOpen.set({ provider: 'anthropic', model: 'claude-haiku-4-5' }, 1);
    seen.observe(await snapshot(metrics));
    metrics.circuitOpen.set(nano, 0);
    seen.observe(await snapshot(metrics));
    metrics.circuitOpen.set(nano, 1);
    seen.observe(await snapshot(metrics));
    seen.observe(await snapshot(metrics));
    metrics.circuitOpen.set(nano, 0);
    seen.observe(await snapshot(metrics));
    metrics.circuitOpen.set(nano, 1);
    seen.observe(await snapshot(metrics));
    expect(seen.opens).toEqual(['anthropic:claude-haiku-4-5', 'openai:gpt-4.1-nano', 'openai:gpt-4.1-nano']);
  });

  it('reads summarize outcomes and model calls between two snapshots, leaving other features out', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.featureRequests.inc({ feature: 'summarize', outcome: 'full', reason: 'none', tier: 'none' });
    metrics.modelCalls.inc({ ...nano, outcome: 'ok' });
    const before = await snapshot(metrics);
    metrics.featureRequests.inc({ feature: 'summarize', outcome: 'full', reason: 'none', tier: 'none' }, 3);
    metrics.featureRequests.inc({
      feature: 'summarize',
      outcome: 'unavailable',
      reason: 'RATE_LIMITED',
      tier: 'a',
    });
    metrics.featureRequests.inc({
      feature: 'summarize',
      outcome: 'unavailable',
      reason: 'RATE_LIMITED',
      tier: 'b',
    });
    metrics.featureRequests.inc({
      feature: 'ask',
      outcome: 'degraded',
      reason: 'PROVIDER_TIMEOUT',
      tier: 'a',
    });
    metrics.modelCalls.inc({ ...nano, outcome: 'timeout' }, 2);
    const after = await snapshot(metrics);
    expect(Object.fromEntries(featureOutcomes(before, after, 'summarize'))).toEqual({
      'full/none': 3,
      'unavailable/RATE_LIMITED': 2,
    });
    expect(Object.fromEntries(callsByOutcome(before, after))).toEqual({ 'openai:gpt-4.1-nano timeout': 2 });
  });

  it('tells a shed request (AIUnavailable RATE_LIMITED) from a floor with the same reason', () => {
    const shed =
      '{"data":{"summarize":{"__typename":"AIUnavailable","reason":"RATE_LIMITED","retryAfterSeconds":3}}}';
    const floor = '{"data":{"summarize":{"__typename":"DegradedSummary","reason":"RATE_LIMITED","meta":{}}}}';
    expect(answerLabels(200, shed)).toContain('answer:AIUnavailable/RATE_LIMITED');
    expect(answerLabels(200, floor)).toContain('answer:DegradedSummary/RATE_LIMITED');
    expect(answerLabels(200, floor)).not.toContain('answer:AIUnavailable/RATE_LIMITED');
  });

  it('routes summarize and its small-model chain to OpenAI, then Anthropic, in a table loadConfig accepts', () => {
    const { tasks } = loadConfig({
      NODE_ENV: 'test',
      OPENAI_API_KEY: 'k',
      ANTHROPIC_API_KEY: 'k',
      GATEWAY_ROUTES_JSON: routeTable(undefined),
    }).gateway.routes;
    const providers = (chain: readonly { provider: string }[] | undefined) => chain?.map((t) => t.provider);
    expect(providers(tasks.summarize.chain)).toEqual(['openai', 'anthropic']);
    expect(providers(tasks.summarize.small?.chain)).toEqual(['openai', 'anthropic']);
  });
});
