// A provider failure as a typed value: what happened, whether a retry may help, and what the provider asked
// us to wait. Adapters translate their SDK's errors into it, so the gateway never inspects SDK classes.

/**
 * `rejected`: the provider answered, but the answer failed an output rail (format, facts, echo) and any repair.
 * `budget`: the target was skipped before any request, its worst-case cost not fitting the tenant's spend cap;
 * `limits-unavailable`: skipped because the caps could not be checked (LIMITS_ON_REDIS_FAILURE=closed).
 * `cancelled`: the gateway itself aborted the attempt (a hedge that lost its race): nothing about the target.
 * `overloaded`: the attempt's clock ran out while our own event loop was stalled (resilience/stalled-timeout.ts):
 * this replica's fault, not the target's, so it neither retries nor counts against the circuit.
 */
export type FailureKind =
  | 'timeout'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'malformed'
  | 'client'
  | 'circuit-open'
  | 'rejected'
  | 'budget'
  | 'limits-unavailable'
  | 'cancelled'
  | 'overloaded';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /**
   * Network errors, 408, 429, 5xx and malformed bodies may pass on a retry. Our own attempt timeout does not
   * retry the same target: a provider that just hung is likely to hang again, and the next target in the
   * chain is a better use of what is left of the deadline.
   */
  get retryable(): boolean {
    if (this.kind === 'timeout') return this.status === 408;
    return (
      this.kind !== 'client' &&
      this.kind !== 'circuit-open' &&
      this.kind !== 'rejected' &&
      this.kind !== 'budget' &&
      this.kind !== 'limits-unavailable' &&
      this.kind !== 'cancelled' &&
      // Another attempt would queue behind the same lag and add to it.
      this.kind !== 'overloaded'
    );
  }

  /**
   * Failures that say the target is unhealthy; 4xx, rate limits and our own overload say nothing about its
   * health.
   */
  get countsAgainstCircuit(): boolean {
    return (
      this.kind === 'timeout' ||
      this.kind === 'server' ||
      this.kind === 'network' ||
      this.kind === 'malformed'
    );
  }

  static isInstance(value: unknown): value is ProviderError {
    return value instanceof Error && value.name === 'ProviderError';
  }
}
