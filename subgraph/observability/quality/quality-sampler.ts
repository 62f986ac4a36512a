// Quality sampling (README, "Quality sampling"): a request drawn at its tenant's sampling.rate is handed here
// and the request goes on; a background queue then keeps it (redacted, where the tenant keeps content), grades
// it with the guardrails' checks, and exports the grade as metrics and span events. Nothing here is awaited by
// a request, and nothing here fails one: every error is logged and the sample let go.
import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { DegradationReason } from '../../gateway/degradation-reason';
import { RedactionContext } from '../../guardrails/pii';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { createBoundedQueue } from './bounded-queue';
import { exportGrade } from './export-grade';
import { gatherWrites } from './gathered-writes';
import type { GradeLabels } from './export-grade';
import type { GradingSubject } from './grade';
import { rememberedGrades } from './remembered-grades';
import type { NewSample, QualityGrade, SampleOutcome, SampleStore } from './sample-store';

/** What a kept sample stores besides its outcome; redacted by the sampler, not by the caller. */
export interface SampleContent {
  input: string;
  chunkIds: readonly string[];
  output: string;
  retentionDays: number;
}

export interface SampledRequest {
  tenantId: string;
  requestId: string;
  feature: string;
  createdAt: Date;
  outcome: SampleOutcome;
  reason: DegradationReason | null;
  /** Null where the tenant keeps no content (sampling.keepContent false). */
  content: SampleContent | null;
  /** Null where there is nothing to grade (search, a request no model answered). */
  subject: GradingSubject | null;
  labels: GradeLabels;
  /** The request's trace context when it was sampled: the evaluation span's parent. */
  trace: Context;
}

export interface QualitySampler {
  /** Hands a drawn request to the background queue; dropped (and counted) when the queue is full. */
  submit(request: SampledRequest): void;
  /** Resolves once every request submitted so far is handled (tests, shutdown). */
  idle(): Promise<void>;
  /** Takes no more requests, finishes those queued, and stops the expiry sweep. */
  close(): Promise<void>;
}

export interface QualitySamplerOptions {
  /** Requests waiting to be handled before new ones are dropped (and kept rows waiting to be written). */
  capacity?: number;
  /** How often expired samples of every tenant are deleted (reads skip them already). */
  sweepEveryMs?: number;
}

const DEFAULT_CAPACITY = 256;
/** Kept rows written together: at most this many in one transaction, */
const WRITE_BATCH_ROWS = 64;
/** held at most this long for others to join them. */
const WRITE_BATCH_DELAY_MS = 200;
const DEFAULT_SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Whether a request is sampled at `rate`: one random draw, the whole cost of a request not drawn. A rate of 0
 * takes none.
 */
export function drawSample(rate: number): boolean {
  return Math.random() < rate;
}

export function createQualitySampler(
  deps: { store: SampleStore; metrics: Metrics; logger: Logger },
  { capacity = DEFAULT_CAPACITY, sweepEveryMs = DEFAULT_SWEEP_EVERY_MS }: QualitySamplerOptions = {},
): QualitySampler {
  const { store, metrics, logger } = deps;
  const grade = rememberedGrades();

  // Graded first, then kept with its grade in one row, gathered with other samples' rows into one transaction
  // (gathered-writes.ts). A grader that throws still leaves the sample kept (ungraded) before its error reaches
  // the queue's log.
  async function handle(request: SampledRequest): Promise<void> {
    let quality: QualityGrade | null = null;
    let gradingFailed: { error: unknown } | null = null;
    try {
      quality = request.subject ? grade(request.subject) : null;
    } catch (error) {
      gradingFailed = { error };
    }
    if (request.content) keep(request, request.content, quality);
    if (gradingFailed) throw gradingFailed.error;
    if (quality) exportGrade(metrics, request.labels, quality, request.trace);
  }

  function keep(request: SampledRequest, content: SampleContent, quality: QualityGrade | null): void {
    // One numbering for input and output: an email asked about and repeated in the answer is one placeholder.
    const redaction = new RedactionContext();
    const kept = rows.add({
      tenantId: request.tenantId,
      sampleId: randomUUID(),
      requestId: request.requestId,
      feature: request.feature,
      createdAt: request.createdAt,
      retentionDays: content.retentionDays,
      input: redaction.redact(content.input).text,
      chunkIds: content.chunkIds,
      output: redaction.redact(content.output).text,
      outcome: request.outcome,
      reason: request.reason,
      quality,
    });
    if (!kept) metrics.qualitySamplesDropped.inc({ feature: request.feature });
  }

  const rows = gatherWrites<NewSample>(
    (samples) => store.putAll(samples),
    (error, samples) => {
      for (const sample of samples)
        logger.error({ err: error, ...whose(sample) }, 'quality sample: keeping it failed');
    },
    { maxItems: WRITE_BATCH_ROWS, delayMs: WRITE_BATCH_DELAY_MS, maxWaiting: capacity },
  );

  const queue = createBoundedQueue<SampledRequest>(capacity, handle, (error, request) =>
    logger.error({ err: error, ...whose(request) }, 'quality sample: grading failed'),
  );

  let sweeping: Promise<void> = Promise.resolve();
  const sweep = () => {
    sweeping = store
      .sweepExpired()
      .catch((error: unknown) => logger.error({ err: error }, 'quality samples: expiry sweep failed'));
  };
  const first = setTimeout(sweep, 0);
  const every = setInterval(sweep, sweepEveryMs);
  first.unref();
  every.unref();

  return {
    submit(request) {
      if (!queue.offer(request)) metrics.qualitySamplesDropped.inc({ feature: request.feature });
    },
    async idle() {
      await queue.idle();
      await rows.flush();
    },
    async close() {
      clearTimeout(first);
      clearInterval(every);
      await Promise.all([queue.close().then(() => rows.flush()), sweeping]);
    },
  };
}

/** Which request a log line is about (a sampled request or its kept row): ids only, never its content. */
function whose(request: Pick<SampledRequest, 'requestId' | 'tenantId' | 'feature'>) {
  return { requestId: request.requestId, tenant: request.tenantId, feature: request.feature };
}
