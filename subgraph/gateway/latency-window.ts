// A target's recent latency, for the hedge's delay (hedged-attempt.ts): the last N successful attempts' time to
// reply (completions) or to their first token (streams), in a ring buffer. The p95 is read on every hedged call
// and written on every answered one, so it is computed lazily: a sort of at most N numbers, only after a new
// sample arrived. Until the window holds enough samples its p95 says nothing, and the caller uses its default.

/** Samples kept per target: enough for a stable p95, few enough that a change of pace shows within minutes. */
export const LATENCY_WINDOW_SIZE = 100;
/** Below this many samples the p95 is a guess: the hedge waits its configured default instead. */
export const LATENCY_WINDOW_MIN_SAMPLES = 20;

export class LatencyWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  private cached: number | null = null;

  constructor(
    readonly capacity: number = LATENCY_WINDOW_SIZE,
    private readonly minSamples: number = LATENCY_WINDOW_MIN_SAMPLES,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.samples = new Float64Array(capacity);
  }

  /** One successful attempt's latency in milliseconds; the oldest sample leaves a full window. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    this.cached = null;
  }

  get size(): number {
    return this.count;
  }

  /** The 95th percentile (nearest rank) of the window; null while it holds fewer samples than it needs. */
  p95(): number | null {
    if (this.count < this.minSamples) return null;
    if (this.cached === null) {
      const sorted = this.samples.slice(0, this.count).sort();
      this.cached = sorted[Math.ceil(0.95 * this.count) - 1] ?? null;
    }
    return this.cached;
  }
}
