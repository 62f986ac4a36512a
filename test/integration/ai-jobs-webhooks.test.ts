// Issue 14's webhooks wired into the engine, through the real subgraph on PostgreSQL and on PGlite: a finished
// job's notice is queued in pg-boss with its final status and delivered by the webhook loop: one signed POST
// the receiver verifies, carrying no tenant content; a receiver failing three times still gets it (pg-boss
// retries); a tenant without a webhook sends nothing.
import { FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { startWebhookReceiver, webhookPolicies } from '../support/webhook-receiver';
import type { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';
import { eventually } from '../support/wait-for';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../subgraph/jobs/webhook-signature';

jest.setTimeout(60_000);

const SECRET = 'whsec-wired-7c1e2b9d4f3a8e60';
const CONFIDENTIAL = 'Quarterly revenue of the Nordhavn project fell by 12 percent.';
const SUMMARY = 'Nordhavn revenue fell.';

describe.each(['pglite', 'postgres'] as const)('job webhooks through the engine on %s', (store) => {
  let harness: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startHarness({
      providers: ['openai'],
      store,
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: {
        ...FAST_JOBS,
        ...FAST_RETRIES,
        // Retried at once: what is under test is that a failing receiver is retried, not the wait.
        JOB_WEBHOOK_RETRY_DELAY_SECONDS: '0',
        TENANT_POLICIES_JSON: webhookPolicies('hooked', receiver, SECRET),
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    harness.providers.reset();
  });

  const start = async (tenant: string, text: string) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text } }))
      .startSummaryJob;
  const finished = (tenant: string, id: string) =>
    eventually(
      async () => {
        const job = (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob;
        return job && job.status !== 'QUEUED' && job.status !== 'RUNNING' ? job : undefined;
      },
      20_000,
      `job ${id} final`,
    );
  const postsFor = (id: string): ReceivedWebhook[] =>
    receiver.received.filter((request) => (JSON.parse(request.body) as { id: string }).id === id);
  const delivered = (id: string, count: number) =>
    eventually(
      async () => (postsFor(id).length >= count ? postsFor(id) : undefined),
      20_000,
      `${count} POSTs for ${id}`,
    );

  it('a completed job produces exactly one signed POST, with no tenant content', async () => {
    const job = await start('hooked', `${CONFIDENTIAL} One.`);
    const done = await finished('hooked', job.id);
    expect(done.status).toBe('COMPLETED');
    const [post] = await delivered(job.id, 1);
    const header = post!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhookSignature(SECRET, header, post!.body)).toMatchObject({ valid: true });
    expect(verifyWebhookSignature('whsec-not-the-tenants-0000', header, post!.body)).toMatchObject({
      valid: false,
    });
    expect(JSON.parse(post!.body)).toEqual({
      event: 'ai_job.completed',
      deliveryId: `${job.id}.completed`,
      id: job.id,
      tenantId: 'hooked',
      kind: 'SUMMARY',
      status: 'COMPLETED',
      resultType: 'Summary',
      attempts: 1,
      createdAt: done.createdAt,
      startedAt: done.startedAt,
      completedAt: done.completedAt,
    });
    expect(post!.body).not.toContain('Nordhavn');
    // A second job's notice arriving proves the loop has moved on; the first was still sent once only.
    const next = await start('hooked', `${CONFIDENTIAL} Two.`);
    await delivered(next.id, 1);
    expect(postsFor(job.id)).toHaveLength(1);
  });

  it('a receiver that fails three times still gets the notice, on the fourth try', async () => {
    receiver.script({ status: 500 }, { status: 500 }, { status: 500 });
    const job = await start('hooked', `${CONFIDENTIAL} Three.`);
    await finished('hooked', job.id);
    const posts = await delivered(job.id, 4);
    expect(posts).toHaveLength(4);
    for (const post of posts) {
      const header = post.headers[SIGNATURE_HEADER.toLowerCase()] as string;
      expect(verifyWebhookSignature(SECRET, header, post.body)).toMatchObject({ valid: true });
    }
  });

  it('retried a receiver that said when to come back (Retry-After) at once, ignoring it', async () => {
    // The retry delay is 0 here: only the receiver's 503 with Retry-After: 2 holds the second try back.
    receiver.script({ status: 503, headers: { 'retry-after': '2' } });
    const job = await start('hooked', `${CONFIDENTIAL} Retry after.`);
    await finished('hooked', job.id);
    const [first, second] = await delivered(job.id, 2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_900);
    const header = second!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhookSignature(SECRET, header, second!.body)).toMatchObject({ valid: true });
    // Delivered on the second try, and once only.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(postsFor(job.id)).toHaveLength(2);
  });

  it('a cancelled job is announced as CANCELLED; a tenant without a webhook sends nothing', async () => {
    harness.providers.openai.faults.always({ kind: 'hang' });
    const silent = await start('acme', `${CONFIDENTIAL} Four.`);
    const job = await start('hooked', `${CONFIDENTIAL} Five.`);
    await harness.as('acme').data(CANCEL_AI_JOB, { id: silent.id });
    await harness.as('hooked').data(CANCEL_AI_JOB, { id: job.id });
    const [post] = await delivered(job.id, 1);
    expect(JSON.parse(post!.body)).toMatchObject({ status: 'CANCELLED', resultType: null });
    expect(postsFor(silent.id)).toHaveLength(0);
    harness.providers.openai.faults.clear();
  });
});
