// A target's latency window: the p95 of its last N samples (nearest rank), nothing until it holds enough, the
// oldest sample leaving a full window; and the hedge's delay from it, with the default and the floor.
import { LatencyWindow } from '../../subgraph/gateway/latency-window';
import { observedDelayMs } from '../../subgraph/gateway/hedge-plan';

const SETTINGS = { defaultAfterMs: 400, minAfterMs: 100 };

describe('LatencyWindow', () => {
  it('says nothing while it holds fewer samples than it needs', () => {
    const window = new LatencyWindow(10, 5);
    for (let i = 0; i < 4; i++) window.record(50);
    expect(window.p95()).toBeNull();
    window.record(50);
    expect(window.p95()).toBe(50);
  });

  it('gives the nearest-rank 95th percentile of its samples, in any order', () => {
    const window = new LatencyWindow(100, 20);
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    for (const ms of samples.reverse()) window.record(ms);
    expect(window.p95()).toBe(95);
    expect(window.size).toBe(100);
  });

  it('forgets the oldest samples once full, so a target that slowed down shows it', () => {
    const window = new LatencyWindow(20, 20);
    for (let i = 0; i < 20; i++) window.record(10);
    expect(window.p95()).toBe(10);
    for (let i = 0; i < 20; i++) window.record(700);
    expect(window.size).toBe(20);
    expect(window.p95()).toBe(700);
  });

  it('ignores samples that are not a duration', () => {
    const window = new LatencyWindow(5, 1);
    window.record(Number.NaN);
    window.record(-3);
    window.record(Number.POSITIVE_INFINITY);
    expect(window.size).toBe(0);
    window.record(42);
    expect(window.p95()).toBe(42);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LatencyWindow(0)).toThrow(RangeError);
  });
});

describe('the hedge delay from a latency window', () => {
  it('is the default while the window is too young', () => {
    expect(observedDelayMs(new LatencyWindow(), SETTINGS)).toBe(400);
  });

  it('is the observed p95, rounded up', () => {
    const window = new LatencyWindow(20, 20);
    for (let i = 0; i < 20; i++) window.record(250.2);
    expect(observedDelayMs(window, SETTINGS)).toBe(251);
  });

  it('never goes below the floor, so a fast target does not hedge every request', () => {
    const window = new LatencyWindow(20, 20);
    for (let i = 0; i < 20; i++) window.record(3);
    expect(observedDelayMs(window, SETTINGS)).toBe(100);
  });
});
