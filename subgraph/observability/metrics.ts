// Prometheus metrics of one subgraph instance: latency per feature and stage, outcomes, fallbacks, cost.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  featureDuration: Histogram<'feature' | 'outcome'>;
  /** `tier` is the tenant policy's bounded label (`none` when unset), never the tenant id. */
  featureRequests: Counter<'feature' | 'outcome' | 'reason' | 'tier'>;
  stageDuration: Histogram<'stage'>;
  costUsd: Counter<'feature'>;
  modelCalls: Counter<'provider' | 'model' | 'outcome'>;
  fallbacks: Counter<'task' | 'reason'>;
  /**
   * Hedged requests by task and outcome: started (the next target raced a slow one), won (the hedge answered
   * first), lost (the first target answered first), refused (the spend cap had no room for the hedge).
   */
  hedges: Counter<'task' | 'outcome'>;
  cacheLookups: Counter<'task' | 'result'>;
  circuitOpen: Gauge<'provider' | 'model'>;
  /** One count per rail run: rail (input, topics, retrieval, ingest_screen, format, citations, grounding, echo, summary, redaction) by outcome. */
  guardrailOutcomes: Counter<'rail' | 'outcome'>;
  /** Rate limit checks (or settles) the shared limiter could not answer, by the failure policy applied. */
  limitsUnavailable: Counter<'policy'>;
  /**
   * Usage events whose ledger write failed (reason failed: lost) or was not confirmed in time (timed_out: lost
   * unless Redis applies it later), by feature; each is also logged (meter-result.ts).
   */
  usageLedgerWritesUnconfirmed: Counter<'feature' | 'reason'>;
  /** Tokens of one model attempt by type (input, output), as the provider reported them. */
  modelTokens: Histogram<'provider' | 'model' | 'type'>;
  /** From the request to a target until its first streamed chunk (streams) or its reply (completions). */
  timeToFirstToken: Histogram<'provider' | 'model'>;
  /** Streams (askStream, summarizeStream) open now on this instance, by field. */
  openSubscriptions: Gauge<'field'>;
  /**
   * Requests the tenant's own limits refused: limit is budget (spend cap), rate (requests or tokens per
   * minute) or streams (concurrent streams); or this replica's load: overload (shed, or an attempt its own
   * event loop ran out). Not the operator's per-operation or per-connection bounds.
   */
  limitRefusals: Counter<'limit' | 'tier'>;
  /** p99 of the event loop's delay over the last second (event-loop-lag.ts), for the operator's dashboards. */
  eventLoopLag: Gauge;
  /** The grader's grounding score of sampled answers and summaries (0..1). */
  qualityGrounding: Histogram<'feature' | 'model' | 'prompt_version'>;
  /** The grader's yes/no checks of sampled results: check is citations_valid or abstained, result true or false. */
  qualityChecks: Counter<'feature' | 'model' | 'prompt_version' | 'check' | 'result'>;
  /** Sampled requests the grading queue had no room for: neither graded nor kept. */
  qualitySamplesDropped: Counter<'feature'>;
  /**
   * Job webhook attempts by outcome (delivered, rejected, retried, exhausted), and notifications never (or no
   * longer) attempted (dropped, abandoned); see jobs/webhook-deliverer.ts.
   */
  jobWebhooks: Counter<'outcome'>;
  /**
   * Background jobs by kind (summary, answer) and outcome: started (a run began here, a retry's too), retried
   * (a run failed with tries left), and the final completed, failed, cancelled, counted where it happened.
   */
  jobs: Counter<'kind' | 'outcome'>;
  /** One run of a job on this replica, from its claim to its end (a run handed back at shutdown included). */
  jobRunDuration: Histogram<'kind'>;
  /** From a job's creation to its first run's start: its time in the fair queue and the engine. */
  jobQueueWait: Histogram<'kind'>;
  /** Job runs going on this replica now. */
  jobsRunning: Gauge;
}

const TOKEN_BUCKETS = [16, 64, 256, 1024, 4096, 16384, 65536, 262144];
const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Background work: from a cache hit's milliseconds to a long map-reduce summary, or an hour's backlog. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

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
      labelNames: ['feature', 'outcome', 'reason', 'tier'],
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
    hedges: new Counter({
      name: 'ai_hedges_total',
      help: 'Hedged model requests by task and outcome (started, won, lost, refused; overloaded: not started, the wait being our own event loop lag)',
      labelNames: ['task', 'outcome'],
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
    usageLedgerWritesUnconfirmed: new Counter({
      name: 'ai_usage_ledger_writes_unconfirmed_total',
      help: 'Usage ledger events whose write failed (lost) or timed out (lost unless Redis applies it later), by feature and reason',
      labelNames: ['feature', 'reason'],
      registers: [registry],
    }),
    modelTokens: new Histogram({
      name: 'ai_model_tokens',
      help: 'Tokens of one model attempt by type (input, output), as the provider reported them',
      labelNames: ['provider', 'model', 'type'],
      buckets: TOKEN_BUCKETS,
      registers: [registry],
    }),
    timeToFirstToken: new Histogram({
      name: 'ai_model_time_to_first_token_seconds',
      help: "Time from a model attempt's start to its first streamed chunk (or its whole reply, unstreamed)",
      labelNames: ['provider', 'model'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    openSubscriptions: new Gauge({
      name: 'ai_open_subscriptions',
      help: 'AI streams open now on this instance, by subscription field',
      labelNames: ['field'],
      registers: [registry],
    }),
    limitRefusals: new Counter({
      name: 'ai_limit_refusals_total',
      help: "Requests a tenant's own limits (budget, rate, streams) or this replica's load (overload) refused, by limit and the tenant policy's tier",
      labelNames: ['limit', 'tier'],
      registers: [registry],
    }),
    eventLoopLag: new Gauge({
      name: 'ai_event_loop_lag_seconds',
      help: "p99 of this replica's event loop delay over the last second (load shedding watches a smoothed lag)",
      registers: [registry],
    }),
    qualityGrounding: new Histogram({
      name: 'ai_quality_grounding_score',
      help: 'Grounding score (0..1) the quality grader gave sampled answers and summaries',
      labelNames: ['feature', 'model', 'prompt_version'],
      buckets: SCORE_BUCKETS,
      registers: [registry],
    }),
    qualityChecks: new Counter({
      name: 'ai_quality_checks_total',
      help: 'Yes/no checks of the quality grader on sampled results (citations_valid, abstained), by result',
      labelNames: ['feature', 'model', 'prompt_version', 'check', 'result'],
      registers: [registry],
    }),
    qualitySamplesDropped: new Counter({
      name: 'ai_quality_samples_dropped_total',
      help: 'Sampled requests dropped because the grading queue was full (neither graded nor kept)',
      labelNames: ['feature'],
      registers: [registry],
    }),
    jobWebhooks: new Counter({
      name: 'ai_job_webhooks_total',
      help: 'Job webhook attempts by outcome (delivered, rejected, retried, exhausted) and notifications dropped or abandoned',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    // No tenant label: a tenant's jobs are its own to read (aiJob), and tenant ids are unbounded.
    jobs: new Counter({
      name: 'ai_jobs_total',
      help: 'Background AI jobs by kind and outcome (started, retried; completed, failed, cancelled)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    jobRunDuration: new Histogram({
      name: 'ai_job_run_duration_seconds',
      help: 'One run of a background AI job on this replica, from its claim to its end, by kind',
      labelNames: ['kind'],
      buckets: JOB_BUCKETS,
      registers: [registry],
    }),
    jobQueueWait: new Histogram({
      name: 'ai_job_queue_wait_seconds',
      help: "From a background AI job's creation to its first run's start, by kind",
      labelNames: ['kind'],
      buckets: JOB_BUCKETS,
      registers: [registry],
    }),
    jobsRunning: new Gauge({
      name: 'ai_jobs_running',
      help: 'Background AI job runs going on this replica now',
      registers: [registry],
    }),
  };
}
