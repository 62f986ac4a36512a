// A periodic task's schedule on the job engine (the embedding sweep; the finished jobs' retention, which is
// one more such task): every replica that runs jobs offers a run each interval,
// throttled to one per interval across replicas and held by a 'stately' queue (one waiting, one running), then
// takes what is queued. So however many replicas there are, one sweep runs per interval and never two at once;
// a replica that only queues (JOB_CONCURRENCY=0) runs none. A timer loop of its own rather than a slot in the
// job runner: the sweep has no tenant, no row in `jobs` and no place in the fair picker, and must never take a
// tenant's job slot.
import type { Logger } from '../observability/logger';
import type { SweepQueue } from './job-queue';

export interface SweepWorkerDeps {
  /** What runs, for the logs ('embedding sweep', 'job retention'). */
  name: string;
  sweeps: SweepQueue;
  /** One sweep run (the sweep itself bounds its work per run). */
  run(): Promise<unknown>;
  logger: Logger;
  /** Between two runs across all replicas; 0: no run is ever offered. */
  intervalMs: number;
}

export interface SweepWorker {
  start(): void;
  /** Offers no more runs; resolves once the run this replica holds has ended and is settled. */
  stop(): Promise<void>;
}

export function createSweepWorker(deps: SweepWorkerDeps): SweepWorker {
  const { sweeps, logger, intervalMs } = deps;
  const everySeconds = Math.ceil(intervalMs / 1000);
  let timer: NodeJS.Timeout | undefined;
  let tick: Promise<void> | null = null;
  let stopping = false;

  async function offerAndRun(): Promise<void> {
    await sweeps.offer(everySeconds);
    const runId = await sweeps.take();
    if (!runId) return;
    let outcome: 'completed' | 'failed' = 'completed';
    try {
      await deps.run();
    } catch (error) {
      outcome = 'failed';
      logger.error({ err: error }, `${deps.name} failed`);
    }
    await sweeps.settle(runId, outcome);
  }

  function onTimer(): void {
    // A run longer than the interval: this replica skips ticks rather than piling them up.
    if (tick || stopping) return;
    tick = offerAndRun()
      .catch((error: unknown) =>
        logger.warn({ err: error }, `${deps.name} schedule failed; it tries again next interval`),
      )
      .finally(() => {
        tick = null;
      });
  }

  return {
    start() {
      if (intervalMs <= 0 || timer) return;
      timer = setInterval(onTimer, intervalMs);
      // The sweep never keeps the process alive on its own.
      timer.unref();
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      await tick;
    },
  };
}
