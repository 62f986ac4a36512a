// What features depend on: ports only, so the same features run on PGlite or PostgreSQL, memory or Redis.
import type { ModelGateway } from '../gateway/gateway';
import type { LoadShed } from '../limits/load-shed';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { QualitySampler } from '../observability/quality/quality-sampler';
import type { SampleStore } from '../observability/quality/sample-store';
import type { ChunkOptions } from '../retrieval/chunking';
import type { DocumentStore } from '../retrieval/store/document-store';
import type { StreamLeases } from '../state/stream-leases';
import type { UsageLedger } from '../state/usage-ledger';

export interface FeatureDeps {
  documents: DocumentStore;
  usage: UsageLedger;
  /** Each tenant's open streams, bounded by its policy's limits.maxConcurrentStreams. */
  streamLeases: StreamLeases;
  metrics: Metrics;
  logger: Logger;
  chunking: ChunkOptions;
  /** Reciprocal rank fusion's k for hybrid search. */
  rrfK: number;
  /** The least cosine similarity a semantic hit needs to ground an answer. */
  askMinSimilarity: number;
  summaryDefaultWords: number;
  gateway: ModelGateway;
  /** Where drawn requests go to be graded and, where the tenant keeps content, stored. */
  quality: QualitySampler;
  /** The kept samples, read by Query.aiSamples. */
  samples: SampleStore;
  /** Refuses new AI work while the event loop lags past LOAD_SHED_EVENT_LOOP_LAG_MS. */
  loadShed: LoadShed;
}
