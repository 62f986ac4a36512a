// The port where sampled requests are kept for the tenant's ai:admin (Query.aiSamples): written only for a
// tenant whose policy keeps content, already redacted, and gone after its retention. The SQL store backs it
// (sql-sample-store.ts, migration 009_samples.sql), under the same row level security as documents.
import type { DegradationReason } from '../../gateway/degradation-reason';

export type SampleOutcome = 'full' | 'degraded' | 'unavailable';

/** What the grader made of a sample (the schema's QualityGrade). */
export interface QualityGrade {
  /** The share of the output's claim-making sentences its passages or source support; null: nothing to score. */
  grounding: number | null;
  /** Whether every [n] names a passage the model was given; null where the feature cites nothing. */
  citationsValid: boolean | null;
  abstained: boolean;
}

export interface NewSample {
  tenantId: string;
  /** Unique per sample: one operation (one request id) may hold several sampled AI fields. */
  sampleId: string;
  requestId: string;
  feature: string;
  createdAt: Date;
  retentionDays: number;
  /** Redacted before it reaches the store: the store writes what it is given. */
  input: string;
  chunkIds: readonly string[];
  /** Redacted, like input. */
  output: string;
  outcome: SampleOutcome;
  reason: DegradationReason | null;
  /** Its grade when it was graded before it was kept: written with it, in the same statement. */
  quality?: QualityGrade | null;
}

export interface StoredSample {
  sampleId: string;
  requestId: string;
  feature: string;
  createdAt: Date;
  input: string;
  chunkIds: string[];
  output: string;
  outcome: SampleOutcome;
  reason: DegradationReason | null;
  /** Null until graded. */
  quality: QualityGrade | null;
}

export interface SampleStore {
  put(sample: NewSample): Promise<void>;
  /** Keeps several samples, of any tenants, in one transaction: all of them or, on a failure, none. */
  putAll(samples: readonly NewSample[]): Promise<void>;
  /** Fills in the grades of a sample written earlier; a sample already expired and swept is left alone. */
  grade(tenantId: string, sampleId: string, grade: QualityGrade): Promise<void>;
  /**
   * The tenant's newest unexpired samples, newest first, none older than `retentionDays` (the tenant's retention
   * now: a sample kept under a longer one is past it as soon as the policy shortens it).
   */
  recent(tenantId: string, limit: number, retentionDays: number): Promise<StoredSample[]>;
  /** Deletes every tenant's expired samples. */
  sweepExpired(): Promise<void>;
}
