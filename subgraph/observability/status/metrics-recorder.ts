// The status page's memory of the last hour: a snapshot of the page's metrics every interval (one minute by
// default), the latest 60 kept. It reads the registry on its own timer, never on a request's path, and its timer
// is unref'd so it never holds the process open; stop() ends it (the app's close does).
import type { Registry } from 'prom-client';
import { RingBuffer } from './ring-buffer';
import { takeSnapshot } from './snapshot';
import type { Snapshot } from './snapshot';

/** Snapshots kept: an hour at the default interval of a minute. */
export const SNAPSHOTS_KEPT = 60;

export interface MetricsRecorder {
  readonly intervalMs: number;
  readonly capacity: number;
  /** Takes a snapshot now and keeps it (the timer calls this; tests call it to step the clock themselves). */
  record(): Promise<void>;
  /** The kept snapshots, oldest first. */
  snapshots(): Snapshot[];
  /** The kept snapshots and one taken now, not kept: what the page draws, up to this moment. */
  history(): Promise<Snapshot[]>;
  stop(): void;
}

export interface RecorderOptions {
  intervalMs: number;
  capacity?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
  /** A snapshot that failed (the page then shows a gap); the recorder goes on. */
  onError?: (error: unknown) => void;
}

/** A recorder that has taken no snapshot yet and runs no timer: start() begins both. */
export function createMetricsRecorder(
  registry: Registry,
  options: RecorderOptions,
): MetricsRecorder & { start(): void } {
  const { intervalMs, capacity = SNAPSHOTS_KEPT, now = Date.now, onError = () => undefined } = options;
  const kept = new RingBuffer<Snapshot>(capacity);
  let timer: NodeJS.Timeout | undefined;
  let recording: Promise<void> | undefined;

  const record = (): Promise<void> => {
    // A slow read (a huge registry) must not pile up behind the next tick.
    recording ??= takeSnapshot(registry, now())
      .then((snapshot) => kept.push(snapshot), onError)
      .finally(() => {
        recording = undefined;
      });
    return recording;
  };

  return {
    intervalMs,
    capacity,
    record,
    snapshots: () => kept.toArray(),
    history: async () => [...kept.toArray(), await takeSnapshot(registry, now())],
    start() {
      if (timer) return;
      void record();
      timer = setInterval(() => void record(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
