// The service's one tracer, and the names of its own span attributes. Where OpenTelemetry's semantic
// conventions name an attribute (gen_ai.*, http.*, error.type) their constant is used at the span; these are
// the `ai.*` attributes no convention covers. No attribute ever holds tenant content: ids, names, counts,
// outcomes only.
import { trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('ai-subgraph');

export const AI_ATTRIBUTES = {
  tenantId: 'ai.tenant.id',
  requestId: 'ai.request.id',
  feature: 'ai.feature',
  /** full, degraded, unavailable, or abandoned (a stream the client left). */
  outcome: 'ai.outcome',
  /** The DegradationReason of a result that is not full. */
  reason: 'ai.reason',
  promptVersion: 'ai.prompt.version',
  /** Whether the completion cache (or a shared in-flight call) answered. */
  cached: 'ai.cached',
  /** A model attempt that carries a repair note after an output rail refused the previous reply. */
  attemptRepair: 'ai.attempt.repair',
  /** A model attempt the caller left (unsubscribed) before it ended: no failure of the target. */
  attemptAbandoned: 'ai.attempt.abandoned',
  /** A model attempt the gateway dropped (a hedge that lost its race): aborted by us, no failure of the target. */
  attemptCancelled: 'ai.attempt.cancelled',
  /** Seconds from the attempt's start to its first streamed chunk (its whole reply, unstreamed). */
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  guardrailName: 'ai.guardrail.name',
  /** The strongest verdict of the rail run: rejected, fixed, flagged, pass (or skipped when none ran). */
  guardrailOutcome: 'ai.guardrail.outcome',
  /** Each rail's verdict, e.g. `topics=pass input=flagged`. */
  guardrailVerdicts: 'ai.guardrail.verdicts',
  /** reserved, over (the cap), unavailable (the limiter did not answer), admitted, refused. */
  limitResult: 'ai.limit.result',
  spendWorstUsd: 'ai.spend.worst_case_usd',
} as const;
