// The status page's recorder: a bounded ring of snapshots of the real metrics registry, the increases between
// them as Prometheus's increase() reads them (a counter that went down restarted from zero), and the quantiles
// and fallback rate the page draws from them.
import { setTimeout as sleep } from 'node:timers/promises';
import { createMetrics } from '../../subgraph/observability/metrics';
import type { Metrics } from '../../subgraph/observability/metrics';
import { histogramQuantile } from '../../subgraph/observability/status/histogram-quantile';
import { createMetricsRecorder, SNAPSHOTS_KEPT } from '../../subgraph/observability/status/metrics-recorder';
import { RingBuffer } from '../../subgraph/observability/status/ring-buffer';
import { intervalsOf, totalOf } from '../../subgraph/observability/status/snapshot-deltas';
import type { Interval } from '../../subgraph/observability/status/snapshot-deltas';
import { seriesKey } from '../../subgraph/observability/status/snapshot';
import { statusView } from '../../subgraph/observability/status/status-view';

/** A recorder on a registry of the subgraph's own metrics, with a clock the test moves a minute per snapshot. */
function recorderFor(metrics: Metrics, capacity?: number) {
  let clock = Date.UTC(2025, 0, 1);
  const recorder = createMetricsRecorder(metrics.registry, {
    intervalMs: 60_000,
    capacity,
    now: () => (clock += 60_000),
  });
  return recorder;
}

const askFull = { feature: 'ask', outcome: 'full', reason: 'none', tier: 'none' };
const askDegraded = { feature: 'ask', outcome: 'degraded', reason: 'PROVIDER_ERROR', tier: 'none' };

function requests(interval: Interval | undefined, labels: Record<string, string>): number | undefined {
  return interval?.counters.get('ai_feature_requests_total')?.get(seriesKey(labels))?.value;
}

describe('the ring buffer', () => {
  it('keeps the latest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (const item of [1, 2]) ring.push(item);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const item of [3, 4, 5]) ring.push(item);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('the metrics recorder', () => {
  it(`keeps ${SNAPSHOTS_KEPT} snapshots however many it takes, dropping the oldest`, async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = recorderFor(metrics);
    for (let index = 0; index < SNAPSHOTS_KEPT + 10; index += 1) await recorder.record();
    const kept = recorder.snapshots();
    expect(kept).toHaveLength(SNAPSHOTS_KEPT);
    // The first ten were dropped: the oldest kept is the eleventh, a minute after the tenth.
    expect(kept[1]!.at - kept[0]!.at).toBe(60_000);
    expect(kept.at(-1)!.at - kept[0]!.at).toBe((SNAPSHOTS_KEPT - 1) * 60_000);
    // history() adds one snapshot taken now without keeping it.
    expect(await recorder.history()).toHaveLength(SNAPSHOTS_KEPT + 1);
    expect(recorder.snapshots()).toHaveLength(SNAPSHOTS_KEPT);
  });

  it('charts the increase between snapshots, a series born in between counted from zero', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = recorderFor(metrics);
    metrics.featureRequests.inc(askFull, 2);
    await recorder.record();
    metrics.featureRequests.inc(askFull, 3);
    metrics.featureRequests.inc(askDegraded, 1);
    await recorder.record();
    const [interval] = intervalsOf(recorder.snapshots());
    expect(requests(interval, askFull)).toBe(3);
    expect(requests(interval, askDegraded)).toBe(1);
  });

  it('reads a counter that went down as one that restarted from zero, never as a negative increase', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = recorderFor(metrics);
    await recorder.record();
    metrics.featureRequests.inc(askFull, 5);
    await recorder.record();
    metrics.registry.resetMetrics();
    metrics.featureRequests.inc(askFull, 2);
    await recorder.record();
    const intervals = intervalsOf(recorder.snapshots());
    expect(intervals.map((interval) => requests(interval, askFull))).toEqual([5, 2]);
    expect(requests(totalOf(intervals), askFull)).toBe(7);
  });

  it('restarts a histogram as a whole when its count went down, and reads quantiles from the increases', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = recorderFor(metrics);
    for (const seconds of [0.002, 2, 2, 2, 2])
      metrics.stageDuration.observe({ stage: 'model.answer' }, seconds);
    await recorder.record();
    metrics.registry.resetMetrics();
    // Fewer observations than before, but more in the lowest bucket (3 against 1): read bucket by bucket, that
    // bucket would seem to have grown by 2 while its wider neighbours restarted, and the median would move.
    for (const seconds of [0.002, 0.002, 0.002])
      metrics.stageDuration.observe({ stage: 'model.answer' }, seconds);
    await recorder.record();
    const [interval] = intervalsOf(recorder.snapshots());
    const stage = interval?.histograms
      .get('ai_stage_duration_seconds')
      ?.get(seriesKey({ stage: 'model.answer' }));
    expect(stage?.bounds[1]).toBe(0.0025);
    expect(stage?.buckets[1]).toBe(3);
    expect(stage?.buckets.at(-1)).toBe(3);
    expect(stage?.sum).toBeCloseTo(0.006);
    // All three in (0.001, 0.0025]: the median interpolates to the middle of that bucket.
    expect(histogramQuantile(0.5, stage!)).toBeCloseTo(0.00175);
  });

  it('takes snapshots on its own timer, which holds no process open, until stopped', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createMetricsRecorder(metrics.registry, { intervalMs: 20 });
    const refTimers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = refTimers();
    recorder.start();
    expect(refTimers()).toBe(before);
    await sleep(150);
    recorder.stop();
    const taken = recorder.snapshots().length;
    expect(taken).toBeGreaterThanOrEqual(3);
    await sleep(80);
    expect(recorder.snapshots()).toHaveLength(taken);
  });
});

describe('histogram quantiles', () => {
  const series = { bounds: [0.1, 0.5, 1], buckets: [10, 90, 100, 100] };

  it('interpolates within the bucket the rank falls in, as histogram_quantile does', () => {
    expect(histogramQuantile(0.05, series)).toBeCloseTo(0.05);
    expect(histogramQuantile(0.5, series)).toBeCloseTo(0.1 + 0.4 * (40 / 80));
    expect(histogramQuantile(0.95, series)).toBeCloseTo(0.5 + 0.5 * (5 / 10));
  });

  it('answers the highest finite bound from the +Inf bucket, and nothing for an empty histogram', () => {
    expect(histogramQuantile(0.99, { bounds: [0.1, 1], buckets: [0, 1, 10] })).toBe(1);
    expect(histogramQuantile(0.5, { bounds: [0.1], buckets: [0, 0] })).toBeNull();
  });
});

describe('the status view', () => {
  it('reads the fallback rate as degraded and unavailable requests of all requests, abandoned streams not fallbacks', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = recorderFor(metrics);
    await recorder.record();
    metrics.featureRequests.inc(askFull, 5);
    metrics.featureRequests.inc(askDegraded, 2);
    metrics.featureRequests.inc({
      feature: 'summarize',
      outcome: 'unavailable',
      reason: 'NOT_FOUND',
      tier: 'gold',
    });
    metrics.featureRequests.inc(
      { feature: 'summarize', outcome: 'abandoned', reason: 'none', tier: 'none' },
      2,
    );
    metrics.circuitOpen.set({ provider: 'openai', model: 'gpt-x' }, 1);
    const view = statusView(await recorder.history(), {
      intervalMs: 60_000,
      capacity: SNAPSHOTS_KEPT,
      targets: [{ provider: 'anthropic', model: 'claude-x' }],
    });
    expect(view.requests).toMatchObject({ total: 10, fallbacks: 3, fallbackRate: 0.3 });
    expect(view.requests.byFeature).toEqual([
      { feature: 'ask', total: 7, fallbacks: 2, fallbackRate: 2 / 7 },
      { feature: 'summarize', total: 3, fallbacks: 1, fallbackRate: 1 / 3 },
    ]);
    expect(view.requests.reasons).toEqual([
      { reason: 'PROVIDER_ERROR', count: 2 },
      { reason: 'NOT_FOUND', count: 1 },
    ]);
    // A routed target whose circuit never changed shows, closed; one the gauge reports open shows open.
    expect(view.circuits.map(({ target, open }) => ({ target, open }))).toEqual([
      { target: 'anthropic:claude-x', open: false },
      { target: 'openai:gpt-x', open: true },
    ]);
  });
});
