// Background jobs give way to the requests callers wait on (JOB_MAX_LOOP_UTILIZATION): while this process's
// event loop is kept busier than the limit, the runner starts no second run beside the one going; once the
// loop has room again, it fills JOB_CONCURRENCY. The subgraph runs in this process, so the test's own busy
// loop is the load it sees.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const TEXT = 'The depot opens at six. Trucks leave for the coast every hour. Drivers rest after four hours.';
const JOBS = 8;
const POLL_MS = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the event loop about 85 % busy: 17 ms of spinning in every 20. */
function busyLoop(): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + 17;
    while (performance.now() < until) {
      // Busy on purpose: the load the runner must give way to.
    }
  }, 20);
  return () => clearInterval(timer);
}

describe('a job runner on a busy event loop', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder: replyByTask({ summary: 'Trucks leave every hour.', answer: 'Every hour [1].' }),
      env: { ...FAST_JOBS, JOB_CONCURRENCY: '4', JOB_MAX_LOOP_UTILIZATION: '0.6' },
    });
  });
  afterAll(() => harness?.stop());

  const running = async (ids: readonly string[]) => {
    const jobs = await Promise.all(
      ids.map(
        async (id) => (await harness.as('tenant-a').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id })).aiJob,
      ),
    );
    return jobs.filter((job) => job.status === 'RUNNING').length;
  };

  it('runs one job at a time while the loop is busier than the limit, and fills its concurrency once it is not', async () => {
    harness.providers.openai.faults.setLatency(300);
    const stopBusy = busyLoop();
    let ids: string[];
    const seenBusy: number[] = [];
    try {
      await pause(300);
      ids = await Promise.all(
        Array.from({ length: JOBS }, async (_, n) => {
          const started = await harness
            .as('tenant-a')
            .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: `${TEXT} Route ${n}.` } });
          return started.startSummaryJob.id;
        }),
      );
      const until = performance.now() + 1_200;
      while (performance.now() < until) {
        seenBusy.push(await running(ids));
        await pause(POLL_MS);
      }
    } finally {
      stopBusy();
    }
    expect(seenBusy.length).toBeGreaterThan(3);
    expect(Math.max(...seenBusy)).toBe(1);

    const seenIdle: number[] = [];
    await eventually(
      async () => {
        // Read sparingly: these reads are requests too, and a loop kept busy by them would hold the runner back.
        await pause(2 * POLL_MS);
        seenIdle.push(await running(ids));
        const jobs = await Promise.all(
          ids.map(
            async (id) => (await harness.as('tenant-a').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id })).aiJob,
          ),
        );
        return jobs.every((job) => job.status === 'COMPLETED') || undefined;
      },
      30_000,
      'every job completed',
    );
    expect(Math.max(...seenIdle)).toBeGreaterThan(1);
    harness.providers.openai.faults.clear();
  });
});
