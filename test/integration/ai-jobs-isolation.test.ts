// Issue 14: "Tenant B can neither read, cancel nor subscribe to tenant A's job (and learns nothing from the
// error)". Each answer B gets for A's job id is compared whole with the answer for an id that names no job,
// on PostgreSQL and PGlite; and a job runs as its own tenant, so it cannot summarize another's document.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import {
  AI_JOB_QUERY,
  AI_JOB_UPDATED,
  CANCEL_AI_JOB,
  FAST_JOBS,
  START_SUMMARY_JOB,
} from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(['postgres', 'pglite'] as const)("another tenant's job on %s", (store) => {
  let harness: Harness;

  beforeAll(async () => {
    // No runner on this replica: A's job stays QUEUED, so a cancel by B would have had something to change.
    harness = await startHarness({
      providers: ['openai'],
      store,
      env: { ...FAST_JOBS, JOB_CONCURRENCY: '0' },
    });
  });
  afterAll(() => harness?.stop());

  const startAs = async (tenant: string, input: Record<string, unknown>) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input })).startSummaryJob;

  it('reads as null, exactly like an unknown id', async () => {
    const job = await startAs('tenant-a', { text: 'Quarterly revenue grew in every region.' });
    const byB = await harness.as('tenant-b').request(AI_JOB_QUERY, { id: job.id });
    const unknown = await harness.as('tenant-b').request(AI_JOB_QUERY, { id: UNKNOWN_ID });
    const malformed = await harness.as('tenant-b').request(AI_JOB_QUERY, { id: 'not-a-job-id' });
    expect(byB).toEqual({ status: 200, body: { data: { aiJob: null } } });
    expect(byB).toEqual(unknown);
    expect(byB).toEqual(malformed);
    expect((await harness.as('tenant-a').request(AI_JOB_QUERY, { id: job.id })).body.data).toEqual({
      aiJob: job,
    });
  });

  it('cancels as null, exactly like an unknown id, and the job stays queued', async () => {
    const job = await startAs('tenant-a', { text: 'The warehouse moves to the east side in May.' });
    const byB = await harness.as('tenant-b').request(CANCEL_AI_JOB, { id: job.id });
    const unknown = await harness.as('tenant-b').request(CANCEL_AI_JOB, { id: UNKNOWN_ID });
    expect(byB).toEqual({ status: 200, body: { data: { cancelAIJob: null } } });
    expect(byB).toEqual(unknown);
    const seenByA = await harness.as('tenant-a').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
    expect(seenByA.aiJob.status).toBe('QUEUED');
  });

  it('refuses the subscription with the same NOT_FOUND as an unknown id', async () => {
    const job = await startAs('tenant-a', { text: 'Support hours change on public holidays.' });
    const byB = await harness.as('tenant-b').subscribe(AI_JOB_UPDATED, { id: job.id });
    const unknown = await harness.as('tenant-b').subscribe(AI_JOB_UPDATED, { id: UNKNOWN_ID });
    expect(byB).toEqual(unknown);
    if (byB.kind !== 'results') throw new Error(`socket closed: ${byB.code}`);
    expect(byB.results).toHaveLength(1);
    expect(byB.results[0]?.data ?? null).toBeNull();
    expect(byB.results[0]?.errors?.[0]).toMatchObject({
      message: 'No AI job with this id',
      extensions: { code: 'NOT_FOUND' },
    });
  });
});

describe("a job's scopes", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ store: 'postgres', env: { ...FAST_JOBS, JOB_CONCURRENCY: '0' } });
  });
  afterAll(() => harness?.stop());

  it('starting and cancelling need ai:ingest; reading needs only a token of the tenant', async () => {
    const job = (
      await harness.as('tenant-a').data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, {
        input: { text: 'Inventory is counted on Mondays.' },
      })
    ).startSummaryJob;
    const reader = harness.as('tenant-a', []);
    for (const [operation, variables] of [
      [START_SUMMARY_JOB, { input: { text: 'Inventory is counted on Mondays.' } }],
      [CANCEL_AI_JOB, { id: job.id }],
    ] as const) {
      const refused = await reader.request(operation, variables);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await reader.data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id })).aiJob.status).toBe('QUEUED');
  });
});

describe("a job's documents", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ providers: ['openai'], store: 'postgres', env: FAST_JOBS });
  });
  afterAll(() => harness?.stop());

  it("are its own tenant's: another tenant's document id is NOT_FOUND, and no model sees its text", async () => {
    await harness
      .as('tenant-a')
      .ingest({ id: 'plan', title: 'Plan', body: 'The secret launch is on Friday.' });
    const job = (
      await harness
        .as('tenant-b')
        .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { documentId: 'plan' } })
    ).startSummaryJob;
    const done = await eventually(
      async () => {
        const read = await harness.as('tenant-b').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
        return read.aiJob.status === 'COMPLETED' ? read.aiJob : undefined;
      },
      20_000,
      'job completed',
    );
    expect(done.summary).toMatchObject({ __typename: 'AIUnavailable', reason: 'NOT_FOUND' });
    expect(harness.providers.requestCount('/v1/chat/completions')).toBe(0);
  });
});
