// The fault model of the fake providers: which misbehaviour the next requests get, and a baseline latency.

/** One way a provider can misbehave on one request. */
export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; retryAfterMs?: number; body?: unknown }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'stream-cut'; afterChunks: number }
  /** The first `afterChunks` deltas, then nothing: the stream stays open until the client leaves (an open stream). */
  | { kind: 'stream-hold'; afterChunks: number }
  /** A list reply (`data`: embeddings, models) with its last `drop` items left out: a well-formed wrong answer. */
  | { kind: 'short-list'; drop: number }
  | { kind: 'slow-drip'; delayMs: number }
  /**
   * An OpenAI-compatible server that reports no usage (a self-hosted one): a whole reply without its `usage`,
   * and a stream that ignores stream_options.include_usage (no usage chunk, no `usage` field on any chunk).
   */
  | { kind: 'no-usage' };

/** Limits a fault to requests on one path (e.g. '/v1/embeddings'); without it a fault hits any route. */
export interface FaultScope {
  path?: string;
}

interface ScopedFault {
  fault: Fault;
  path?: string;
}

/**
 * Queued faults are served first, in the order they were queued; the standing fault (`always`) answers
 * whatever the queue does not. The baseline latency is separate from faults so a benchmark can keep a
 * fixed provider delay while tests inject and clear faults on top of it.
 */
export class FaultPlan {
  private queue: ScopedFault[] = [];
  private standing: ScopedFault | undefined;
  private baselineMs = 0;

  /** Queues `fault` for the next matching request. */
  once(fault: Fault, scope: FaultScope = {}): this {
    return this.times(1, fault, scope);
  }

  /** Queues `fault` for the next `n` matching requests. */
  times(n: number, fault: Fault, scope: FaultScope = {}): this {
    for (let i = 0; i < n; i += 1) this.queue.push({ fault, path: scope.path });
    return this;
  }

  /** Applies `fault` to every matching request not served by the queue, until `clear()`. */
  always(fault: Fault, scope: FaultScope = {}): this {
    this.standing = { fault, path: scope.path };
    return this;
  }

  /** Drops queued and standing faults; the baseline latency stays (set it to 0 to remove it). */
  clear(): this {
    this.queue = [];
    this.standing = undefined;
    return this;
  }

  /** A delay added to every request before anything else happens, faults included. */
  setLatency(ms: number): this {
    this.baselineMs = Math.max(0, ms);
    return this;
  }

  get latencyMs(): number {
    return this.baselineMs;
  }

  /** Queued faults not yet served. */
  get pending(): number {
    return this.queue.length;
  }

  /** Takes the fault for a request on `path`, if any; used by the servers. */
  take(path: string): Fault | undefined {
    const index = this.queue.findIndex((entry) => matches(entry, path));
    if (index >= 0) return this.queue.splice(index, 1)[0]?.fault;
    return this.standing && matches(this.standing, path) ? this.standing.fault : undefined;
  }
}

function matches(entry: ScopedFault, path: string): boolean {
  return entry.path === undefined || entry.path === path;
}
