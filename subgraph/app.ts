// The composition root's wiring: config in, adapters built, features assembled. main.ts and the tests both
// build the subgraph through here, so tests run the same object graph as production.
import type { Config } from './config';
import { createTokenVerifier } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import { createFeatures } from './features';
import { createGateway } from './gateway/create-gateway';
import { spendSeedOf } from './limits/spend-seed';
import type { ModelGateway } from './gateway/gateway';
import type { Features } from './features';
import { createEmbeddingSweep } from './features/embedding-sweep';
import type { EmbeddingSweep } from './features/embedding-sweep';
import { createJobs } from './jobs/create-jobs';
import type { JobsService } from './jobs/create-jobs';
import type { Logger } from './observability/logger';
import { createEventLoopLag } from './observability/event-loop-lag';
import { createLoadShed } from './limits/load-shed';
import { createMetrics } from './observability/metrics';
import type { Metrics } from './observability/metrics';
import { createQualitySampler } from './observability/quality/quality-sampler';
import type { QualitySampler } from './observability/quality/quality-sampler';
import { createSqlSampleStore } from './observability/quality/sql-sample-store';
import type { SampleStore } from './observability/quality/sample-store';
import { createMetricsRecorder } from './observability/status/metrics-recorder';
import type { MetricsRecorder } from './observability/status/metrics-recorder';
import { openStore } from './retrieval/store/open-store';
import type { OpenedStore } from './retrieval/store/open-store';
import { withSearchCache } from './retrieval/search-cache';
import { openState } from './state/open-state';
import type { SharedState } from './state/open-state';

export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  store: OpenedStore;
  state: SharedState;
  features: Features;
  gateway: ModelGateway;
  verifyToken: TokenVerifier;
  embeddingSweep: EmbeddingSweep;
  /** Grades sampled requests and keeps them where tenants opted in, in the background. */
  quality: QualitySampler;
  /** The kept samples (Query.aiSamples reads them). */
  samples: SampleStore;
  /** The status page's history: the metrics snapshotted every STATUS_SNAPSHOT_INTERVAL_MS. */
  statusRecorder: MetricsRecorder;
  /** Background AI jobs: queued here, run by this replica's runner (JOB_CONCURRENCY) or another's. */
  jobs: JobsService;
  /**
   * The start of a shutdown, called at the signal beside the HTTP drain: the job runner takes no new job and its
   * runs' grace starts now (then what still runs is handed back to the queue), and a sweep run going ends after
   * the document in hand. Resolves once those have ended; the same promise if called again.
   */
  drain(): Promise<void>;
  /** drain() (if not called yet) and its end awaited, then every store, queue and background worker closed. */
  close(): Promise<void>;
}

/** Kept from SHUTDOWN_GRACE_MS for what follows the drains: the stores closed, spans and log lines flushed. */
const CLOSING_RESERVE_MS = 2_000;

/**
 * How one SHUTDOWN_GRACE_MS is spent, every part counted from the drain's start (the signal, or
 * SHUTDOWN_DRAIN_DELAY_MS after it: main.ts). The HTTP drain (in-flight requests, Apollo's
 * stopGracePeriodMillis) may take it all but the closing reserve (at most a quarter of it); the job
 * runs' grace, concurrent with it, half of it (the rest is handed back to the queue for another replica
 * sooner). Both end before the closing reserve starts, so the stores are closed and the spans and logs flushed
 * before main.ts's forced exit at the full grace.
 */
export function shutdownBudget(graceMs: number): { httpDrainMs: number; jobGraceMs: number } {
  const httpDrainMs = graceMs - Math.min(CLOSING_RESERVE_MS, Math.floor(graceMs / 4));
  return { httpDrainMs, jobGraceMs: Math.min(Math.floor(graceMs / 2), httpDrainMs) };
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const verifyToken = await createTokenVerifier(config.auth, config.tenants);
  const metrics = createMetrics();
  // Started once nothing below can fail; until then it reads no stall and no lag.
  const loopLag = createEventLoopLag({ onWindow: (p99Ms) => metrics.eventLoopLag.set(p99Ms / 1000) });
  const store = await openStore(config.store, {
    onBackgroundError: (error) => logger.error({ err: error }, 'store upkeep failed; searches may be slower'),
  });
  let state: SharedState;
  try {
    state = await openState(
      config.state.redisUrl,
      undefined,
      { db: store.db, schema: config.store.schema, appRole: config.store.appRole },
      { logger, versionReadWaitMs: config.gateway.settings.cacheLookupTimeoutMs },
    );
  } catch (error) {
    await store.documents.close();
    throw error;
  }
  let gateway: ModelGateway;
  try {
    gateway = createGateway(config.gateway, {
      redis: state.redis,
      metrics,
      logger,
      spendSeed: spendSeedOf(state.usage),
      loopStalls: loopLag,
    });
  } catch (error) {
    await Promise.allSettled([store.documents.close(), state.close()]);
    throw error;
  }
  const samples = createSqlSampleStore(store.db, {
    schema: config.store.schema,
    appRole: config.store.appRole,
  });
  const quality = createQualitySampler({ store: samples, metrics, logger });
  const features = createFeatures({
    gateway,
    documents: withSearchCache(store.documents, state.corpus, {
      maxBytes: config.retrieval.searchCacheMaxBytes,
      ttlMs: config.retrieval.searchCacheTtlMs,
      logger,
    }),
    usage: state.usage,
    streamLeases: state.streamLeases,
    metrics,
    logger,
    chunking: config.retrieval.chunking,
    rrfK: config.retrieval.rrfK,
    askMinSimilarity: config.retrieval.askMinSimilarity,
    summaryDefaultWords: config.features.summaryDefaultWords,
    quality,
    samples,
    loadShed: createLoadShed(loopLag, config.features.loadShedEventLoopLagMs, logger),
  });
  // Documents stored without vectors (embeddings down at ingest, or an older model) are embedded in the
  // background, one run per interval across replicas, scheduled by the job engine.
  const embeddingSweep = createEmbeddingSweep(
    { documents: store.documents, gateway, tenants: config.tenants, usage: state.usage, metrics, logger },
    config.retrieval.embeddingSweep,
  );
  let jobs: JobsService;
  try {
    jobs = await createJobs(config.jobs, {
      db: store.db,
      store: config.store,
      execution: { features, documents: store.documents, tenants: config.tenants },
      logger,
      webhookOutcomes: metrics.jobWebhooks,
      metrics,
      // From the signal, beside the HTTP drain: what is still running then goes back to the queue for another
      // replica (shutdownBudget).
      stopGraceMs: shutdownBudget(config.server.shutdownGraceMs).jobGraceMs,
      embeddingSweep: {
        run: () => embeddingSweep.runOnce(),
        intervalMs: config.retrieval.embeddingSweep.intervalMs,
      },
    });
  } catch (error) {
    await quality.close();
    await Promise.allSettled([store.documents.close(), state.close()]);
    throw error;
  }
  const statusRecorder = createMetricsRecorder(metrics.registry, {
    intervalMs: config.statusPage.snapshotIntervalMs,
    onError: (error) => logger.warn({ err: error }, 'status page snapshot failed; the page shows a gap'),
  });
  statusRecorder.start();
  loopLag.start();
  if (!store.semantic.available) {
    logger.warn(
      { reason: store.semantic.reason },
      'semantic search unavailable: search runs on keywords only',
    );
  }
  let drained: Promise<void> | undefined;
  const drain = () =>
    (drained ??= (async () => {
      // Told first, so that a sweep run going (this replica's scheduled one, or one asked for with runOnce)
      // ends after the document in hand instead of holding the shutdown for the rest of its documents.
      const sweepStopped = embeddingSweep.stop();
      // The runs going (jobs, and the scheduled sweep's) still write their results to the store.
      await jobs.stopRunning();
      await sweepStopped;
    })());
  return {
    config,
    logger,
    metrics,
    store,
    state,
    features,
    gateway,
    verifyToken,
    embeddingSweep,
    quality,
    samples,
    statusRecorder,
    jobs,
    drain,
    async close() {
      statusRecorder.stop();
      await drain();
      await jobs.close();
      loopLag.stop();
      // Before the store closes: the samples still queued are graded and written.
      await quality.close();
      // Before Redis closes, once every call has ended: spend Redis missed while away is written back to it.
      await gateway.close();
      await Promise.allSettled([store.documents.close(), state.close()]);
    },
  };
}
