// Background jobs give way to the requests callers wait on: while this process's event loop is kept busier than
// JOB_MAX_LOOP_UTILIZATION, or PGlite's thread busier than JOB_MAX_DATABASE_UTILIZATION, the runner starts no
// second run beside the one going; once there is room again, it fills JOB_CONCURRENCY. The subgraph runs in
// this process, so the test's own busy loop (or its own statements on the subgraph's PGlite) is the load it sees.
import { JOB_TEXT, startJobsHarness } from '../support/jobs-harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';

jest.setTimeout(60_000);

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

/** Keeps PGlite's thread busy: one statement of 40 ms of work after another, until stopped. */
function busyDatabase(db: SqlDatabase): () => Promise<void> {
  let stopped = false;
  const statement = `DO $$ BEGIN
    WHILE clock_timestamp() < statement_timestamp() + interval '40 milliseconds' LOOP
      PERFORM md5(random()::text);
    END LOOP;
  END $$`;
  const going = (async () => {
    while (!stopped) await db.query(statement);
  })();
  return async () => {
    stopped = true;
    await going;
  };
}

const CASES = [
  {
    what: 'this process’s event loop',
    store: 'postgres',
    env: { JOB_MAX_LOOP_UTILIZATION: '0.6' },
    load: () => {
      const stop = busyLoop();
      return async () => stop();
    },
  },
  {
    what: 'PGlite’s thread',
    store: 'pglite',
    env: { JOB_MAX_LOOP_UTILIZATION: '1', JOB_MAX_DATABASE_UTILIZATION: '0.5' },
    load: (harness: Harness) => busyDatabase(harness.app.store.db),
  },
] as const;

describe.each(CASES)('a job runner while $what is busy', ({ store, env, load }) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startJobsHarness({ store, env: { JOB_CONCURRENCY: '4', ...env } });
  });
  afterAll(() => harness?.stop());

  const read = (ids: readonly string[]) =>
    Promise.all(
      ids.map(
        async (id) => (await harness.as('tenant-a').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id })).aiJob,
      ),
    );
  const running = async (ids: readonly string[]) =>
    (await read(ids)).filter((job) => job.status === 'RUNNING').length;

  it('runs one job at a time while busier than the limit, and fills its concurrency once not', async () => {
    harness.providers.openai.faults.setLatency(300);
    const stopLoad = load(harness);
    let ids: string[];
    const seenBusy: number[] = [];
    try {
      await pause(300);
      ids = await Promise.all(
        Array.from({ length: JOBS }, async (_, n) => {
          const started = await harness.as('tenant-a').data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, {
            input: { text: `${JOB_TEXT} Route ${n}.` },
          });
          return started.startSummaryJob.id;
        }),
      );
      // At least 1.2 s of the busy loop, and at least four readings of it: each reading is requests that wait for
      // the busy loop themselves, so on a machine loaded by other suites 1.2 s gave only three (a clean-clone CI
      // run). Bounded at 10 s of load.
      const started = performance.now();
      while (
        performance.now() - started < 1_200 ||
        (seenBusy.length < 4 && performance.now() - started < 10_000)
      ) {
        seenBusy.push(await running(ids));
        await pause(POLL_MS);
      }
    } finally {
      await stopLoad();
    }
    expect(seenBusy.length).toBeGreaterThan(3);
    expect(Math.max(...seenBusy)).toBe(1);

    const seenIdle: number[] = [];
    await eventually(
      async () => {
        // Read sparingly: these reads are requests too, and a loop kept busy by them would hold the runner back.
        await pause(2 * POLL_MS);
        const jobs = await read(ids);
        seenIdle.push(jobs.filter((job) => job.status === 'RUNNING').length);
        return jobs.every((job) => job.status === 'COMPLETED') || undefined;
      },
      30_000,
      'every job completed',
    );
    expect(Math.max(...seenIdle)).toBeGreaterThan(1);
    harness.providers.openai.faults.clear();
  });
});
