// The background jobs' metrics at /metrics, read as Prometheus scrapes them: ai_jobs_total{kind, outcome} for
// runs started and jobs finished, the run-duration and queue-wait histograms by kind, and the gauge of runs
// going on this replica, up while a job runs and back to 0 once it is cancelled. No job series names a tenant.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';
import {
  AI_JOB_QUERY,
  CANCEL_AI_JOB,
  FAST_JOBS,
  START_ASK_JOB,
  START_SUMMARY_JOB,
} from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const TEXT = 'The ferry leaves at nine. Tickets are sold on board. Bicycles travel free.';
const REPLY = 'The ferry leaves at nine.';
const JOB_METRICS = /^ai_jobs?_/;

describe('job metrics', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      store: 'pglite',
      responder: replyByTask({ summary: REPLY, answer: REPLY }),
      env: { ...FAST_JOBS },
    });
  });
  afterAll(() => harness?.stop());

  const status = async (tenant: string, id: string) =>
    (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob?.status;
  const reaches = (tenant: string, id: string, wanted: AIJob['status']) =>
    eventually(
      async () => ((await status(tenant, id)) === wanted ? true : undefined),
      20_000,
      `${id} ${wanted}`,
    );

  it('counts runs and outcomes by kind, times runs and queue waits, and gauges the runs going', async () => {
    const summaries = [
      (
        await harness
          .as('acme')
          .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } })
      ).startSummaryJob,
      (
        await harness
          .as('globex')
          .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } })
      ).startSummaryJob,
    ];
    const answer = (
      await harness.as('acme').data<{ startAskJob: AIJob }>(START_ASK_JOB, { input: { question: 'When?' } })
    ).startAskJob;
    await reaches('acme', summaries[0]!.id, 'COMPLETED');
    await reaches('globex', summaries[1]!.id, 'COMPLETED');
    await reaches('acme', answer.id, 'COMPLETED');

    // A job reads COMPLETED as its row commits; the run ends (and is counted) just after.
    const after = await eventually(
      async () => {
        const metrics = await harness.metrics();
        const ended = metrics.value('ai_jobs_total', { outcome: 'completed' }) === 3;
        return ended && metrics.value('ai_jobs_running') === 0 ? metrics : undefined;
      },
      5_000,
      'three runs ended',
    );
    expect(after.value('ai_jobs_total', { kind: 'summary', outcome: 'started' })).toBe(2);
    expect(after.value('ai_jobs_total', { kind: 'summary', outcome: 'completed' })).toBe(2);
    expect(after.value('ai_jobs_total', { kind: 'answer', outcome: 'started' })).toBe(1);
    expect(after.value('ai_jobs_total', { kind: 'answer', outcome: 'completed' })).toBe(1);
    expect(after.value('ai_job_run_duration_seconds_count', { kind: 'summary' })).toBe(2);
    expect(after.value('ai_job_run_duration_seconds_count', { kind: 'answer' })).toBe(1);
    expect(after.value('ai_job_run_duration_seconds_sum', { kind: 'summary' })).toBeGreaterThan(0);
    expect(after.value('ai_job_queue_wait_seconds_count', { kind: 'summary' })).toBe(2);
    expect(after.value('ai_job_queue_wait_seconds_count', { kind: 'answer' })).toBe(1);
    expect(after.value('ai_jobs_running')).toBe(0);

    // A job held at its model call (a text of its own: the same one would be a cache hit): one run going
    // until it is cancelled.
    harness.providers.openai.faults.always({ kind: 'hang' });
    const held = (
      await harness
        .as('acme')
        .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: `${TEXT} Dogs too.` } })
    ).startSummaryJob;
    await reaches('acme', held.id, 'RUNNING');
    await eventually(
      async () => ((await harness.metrics()).value('ai_jobs_running') === 1 ? true : undefined),
      5_000,
      'one job running',
    );
    await harness.as('acme').data(CANCEL_AI_JOB, { id: held.id });
    const cancelled = await eventually(
      async () => {
        const metrics = await harness.metrics();
        return metrics.value('ai_jobs_running') === 0 ? metrics : undefined;
      },
      5_000,
      'no job running',
    );
    harness.providers.openai.faults.clear();
    expect(cancelled.value('ai_jobs_total', { kind: 'summary', outcome: 'started' })).toBe(3);
    expect(cancelled.value('ai_jobs_total', { kind: 'summary', outcome: 'cancelled' })).toBe(1);
    expect(cancelled.value('ai_jobs_total', { kind: 'summary', outcome: 'completed' })).toBe(2);

    const jobSeries = cancelled.samples.filter((sample) => JOB_METRICS.test(sample.name));
    expect(jobSeries.length).toBeGreaterThan(0);
    for (const sample of jobSeries) {
      for (const label of Object.keys(sample.labels)) expect(['kind', 'outcome', 'le']).toContain(label);
    }
    expect(cancelled.text).not.toMatch(/acme|globex/);
  });
});
