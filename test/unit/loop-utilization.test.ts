// An event loop's recent busy share, as the job runner reads it before starting another run: a window of
// spinning reads near 1, a window of waiting near 0, a read inside a window repeats the last one closed, and
// another thread (PGlite's, in the subgraph) is read through its Worker.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { watchLoopUtilization } from '../../subgraph/observability/loop-utilization';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: this is the load being measured.
  }
};
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const THIS_THREAD = () => performance.eventLoopUtilization();

describe('loop utilization', () => {
  it('reads a window spent running code as busy and a window spent waiting as idle', async () => {
    const utilization = watchLoopUtilization(THIS_THREAD, 100);
    spin(150);
    expect(utilization.busy()).toBeGreaterThan(0.8);
    await idle(150);
    // Well under the busy window's 0.8: on a loaded machine a waiting loop's few callbacks stretch (0.36 seen).
    expect(utilization.busy()).toBeLessThan(0.5);
  });

  it('repeats the last closed window until the next one closes', async () => {
    const utilization = watchLoopUtilization(THIS_THREAD, 100);
    spin(120);
    const busy = utilization.busy();
    await idle(20);
    expect(utilization.busy()).toBe(busy);
  });

  it("reads another thread's loop through its Worker, whatever this one does", async () => {
    // Spins in a callback of its loop (what utilization counts), 300 ms, then says so and idles.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', () => setTimeout(() => {
         const until = Date.now() + 300;
         while (Date.now() < until) {}
         parentPort.postMessage('spun');
       }, 0));`,
      { eval: true },
    );
    try {
      await once(worker, 'online');
      const utilization = watchLoopUtilization(() => worker.performance.eventLoopUtilization(), 100);
      worker.postMessage('spin');
      await once(worker, 'message');
      expect(utilization.busy()).toBeGreaterThan(0.6);
      await idle(200);
      expect(utilization.busy()).toBeLessThan(0.3);
    } finally {
      await worker.terminate();
    }
  });
});
