// Prometheus metrics of one subgraph instance: latency per feature and stage, outcomes, fallbacks, cost.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  featureDuration: Histogram<'feature' | 'outcome'>;
  featureRequests: Counter<'feature' | 'outcome' | 'reason'>;
  stageDuration: Histogram<'stage'>;
  costUsd: Counter<'feature'>;
  modelCalls: Counter<'provider' | 'model' | 'outcome'>;
  fallbacks: Counter<'task' | 'reason'>;
  cacheLookups: Counter<'task' | 'result'>;
  circuitOpen: Gauge<'provider' | 'model'>;
  /** One count per rail run: rail (input, topics, retrieval, ingest_screen, format, citations, grounding, echo, summary, redaction) by outcome. */
  guardrailOutcomes: Counter<'rail' | 'outcome'>;
  /** Rate limit checks (or settles) the shared limiter could not answer, by the failure policy applied. */
  limitsUnavailable: Counter<'policy'>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    featureDuration: new Histogram({
      name: 'ai_feature_duration_seconds',
      help: 'End-to-end latency of an AI feature call, by outcome',
      labelNames: ['feature', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    featureRequests: new Counter({
      name: 'ai_feature_requests_total',
      help: 'AI feature calls by outcome and degradation reason (none when full)',
      labelNames: ['feature', 'outcome', 'reason'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'ai_stage_duration_seconds',
      help: 'Latency of one stage of the request path (retrieval, extractive, model, ...)',
      labelNames: ['stage'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    costUsd: new Counter({
      name: 'ai_cost_usd_total',
      // Per-tenant spend lives in the usage ledger: tenant ids as labels would be unbounded and visible to any
      // scraper of /metrics.
      help: 'Model spend in US dollars by feature',
      labelNames: ['feature'],
      registers: [registry],
    }),
    modelCalls: new Counter({
      name: 'ai_model_calls_total',
      help: 'Calls to a model target, by outcome (ok, or the failure kind)',
      labelNames: ['provider', 'model', 'outcome'],
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'ai_fallbacks_total',
      help: 'Times a request moved down the degradation ladder, by the reason it moved',
      labelNames: ['task', 'reason'],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'ai_cache_lookups_total',
      help: 'Completion cache lookups by result (hit, stale, miss)',
      labelNames: ['task', 'result'],
      registers: [registry],
    }),
    circuitOpen: new Gauge({
      name: 'ai_circuit_open',
      help: 'Whether the circuit breaker of a model target is open (1) or closed or half-open (0)',
      labelNames: ['provider', 'model'],
      registers: [registry],
    }),
    guardrailOutcomes: new Counter({
      name: 'ai_guardrail_outcomes_total',
      help: 'Guardrail rail runs by rail and outcome (pass, fixed, rejected, flagged)',
      labelNames: ['rail', 'outcome'],
      registers: [registry],
    }),
    limitsUnavailable: new Counter({
      name: 'ai_limits_unavailable_total',
      help: 'Rate limit checks the shared limiter (Redis) could not answer in time, by the policy applied (closed, open)',
      labelNames: ['policy'],
      registers: [registry],
    }),
  };
}
