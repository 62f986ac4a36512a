// Kept samples written in batches: a sampled request's row waits a moment for others and they go to the store
// together, in one transaction, instead of one transaction each. On PGlite a transaction of its own cost a
// sample about a millisecond of the database thread, the largest part of what sampling cost a replica serving
// cache hits (bench/profile-observability.ts --threads); a batch shares that among its rows. Nothing waits on
// it: rows are held at most `delayMs`, a full batch goes at once, and past `maxWaiting` rows (a store slower
// than the samples coming in) new ones are refused, never queued without bound.

export interface GatheredWrites<T> {
  /** Holds `item` for the next batch; false, with nothing held, when `maxWaiting` are already waiting. */
  add(item: T): boolean;
  /** Writes what is held now and resolves once every batch started so far has been written (or failed). */
  flush(): Promise<void>;
}

export interface GatherOptions {
  /** A batch goes once this many rows wait. */
  maxItems: number;
  /** And otherwise this long after its first row came. */
  delayMs: number;
  /** Rows held or being written at most. */
  maxWaiting: number;
}

/** `write` failing is `onError`'s to report, with the batch it failed; the next batch is written as usual. */
export function gatherWrites<T>(
  write: (items: readonly T[]) => Promise<void>,
  onError: (error: unknown, items: readonly T[]) => void,
  { maxItems, delayMs, maxWaiting }: GatherOptions,
): GatheredWrites<T> {
  let held: T[] = [];
  let writing = 0;
  let written: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (held.length === 0) return written;
    const batch = held;
    held = [];
    writing += batch.length;
    // One batch at a time, in order: a slow store gathers the next batch meanwhile rather than taking more.
    written = written
      .then(() => write(batch))
      .catch((error: unknown) => onError(error, batch))
      .finally(() => {
        writing -= batch.length;
      });
    return written;
  }

  return {
    add(item) {
      if (held.length + writing >= maxWaiting) return false;
      held.push(item);
      if (held.length >= maxItems) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), delayMs);
        // A replica that stops flushes first (the sampler's close); the timer must not hold a process open.
        timer.unref();
      }
      return true;
    },
    flush,
  };
}
