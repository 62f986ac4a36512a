// The event loop's recent busy share, as the job runner reads it before starting another run: a window of
// spinning reads near 1, a window of waiting near 0, and a read inside a window repeats the last one closed.
import { watchLoopUtilization } from '../../subgraph/observability/loop-utilization';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: this is the load being measured.
  }
};
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('loop utilization', () => {
  it('reads a window spent running code as busy and a window spent waiting as idle', async () => {
    const utilization = watchLoopUtilization(100);
    spin(150);
    expect(utilization.busy()).toBeGreaterThan(0.8);
    await idle(150);
    expect(utilization.busy()).toBeLessThan(0.3);
  });

  it('repeats the last closed window until the next one closes', async () => {
    const utilization = watchLoopUtilization(100);
    spin(120);
    const busy = utilization.busy();
    await idle(20);
    expect(utilization.busy()).toBe(busy);
  });
});
