// Job webhooks against a real receiver on loopback: one signed POST per finished job that the receiver can
// verify, retries of 5xx, timeouts and refused connections with backoff, no retry of a 4xx or a redirect, a
// caller that never waits, and log lines that never carry the secret, the body or the URL's path.
import { createMetrics } from '../../subgraph/observability/metrics';
import { createWebhookDeliverer } from '../../subgraph/jobs/webhook-deliverer';
import type { WebhookDelivererSettings } from '../../subgraph/jobs/webhook-deliverer';
import type { JobNotification } from '../../subgraph/jobs/webhook-notification';
import {
  DELIVERY_ID_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
} from '../../subgraph/jobs/webhook-signature';
import { capturingLogger } from '../support/logs';
import { startWebhookReceiver } from '../support/webhook-receiver';
import type { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';
import { waitUntil } from '../support/wait-for';

const SECRET = 'whsec-test-5f2d8c1e9a7b4360';
/** Retries without waiting: the behaviour under test is which replies are retried, not how long between. */
const FAST: Partial<WebhookDelivererSettings> = { baseDelayMs: 1, maxDelayMs: 5, requestTimeoutMs: 2_000 };

const job = (id: string, extra: Record<string, unknown> = {}): JobNotification => ({
  id,
  tenantId: 'acme',
  kind: 'SUMMARY',
  status: 'COMPLETED',
  resultType: 'Summary',
  attempts: 1,
  createdAt: '2026-12-06T09:00:00.000Z',
  startedAt: '2026-12-06T09:00:01.000Z',
  completedAt: '2026-12-06T09:00:04.000Z',
  ...extra,
});

const signatureOf = (request: ReceivedWebhook) => request.headers[SIGNATURE_HEADER.toLowerCase()] as string;

let receiver: WebhookReceiver;
beforeEach(async () => (receiver = await startWebhookReceiver()));
afterEach(async () => receiver.close());

function deliverer(settings: Partial<WebhookDelivererSettings> = FAST) {
  const metrics = createMetrics({ defaultMetrics: false });
  const { logger, lines } = capturingLogger('debug');
  const webhooks = createWebhookDeliverer({ logger, outcomes: metrics.jobWebhooks, settings });
  const count = async (outcome: string) =>
    (await metrics.jobWebhooks.get()).values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
  return { webhooks, lines, count, target: { url: receiver.url, secret: SECRET } };
}

describe('job webhooks', () => {
  it('sends one signed POST per finished job, which the receiver verifies', async () => {
    const { webhooks, target, count } = deliverer();
    const outcomes = await Promise.all(
      ['job-1', 'job-2', 'job-3'].map((id) => webhooks.deliver(target, job(id))),
    );
    expect(outcomes).toEqual(['delivered', 'delivered', 'delivered']);
    expect(
      receiver.received.map((request) => (JSON.parse(request.body) as { id: string }).id).sort(),
    ).toEqual(['job-1', 'job-2', 'job-3']);
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(signatureOf(request)).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(SECRET, signatureOf(request), request.body)).toEqual({
        valid: true,
        timestamp: expect.any(Number) as unknown,
      });
      const { id } = JSON.parse(request.body) as { id: string };
      expect(request.headers[DELIVERY_ID_HEADER.toLowerCase()]).toBe(`${id}.completed`);
      expect(request.headers[EVENT_HEADER.toLowerCase()]).toBe('ai_job.completed');
    }
    expect(await count('delivered')).toBe(3);
  });

  it('sends the job id, status, result type and times, and nothing of what the job produced', async () => {
    const { webhooks, target } = deliverer();
    const row = job('job-9', {
      summary: { text: 'Acme will lay off 40 people in March.' },
      input: { text: 'secret memo' },
    });
    await webhooks.deliver(target, row);
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({
      event: 'ai_job.completed',
      deliveryId: 'job-9.completed',
      id: 'job-9',
      tenantId: 'acme',
      kind: 'SUMMARY',
      status: 'COMPLETED',
      resultType: 'Summary',
      attempts: 1,
      createdAt: '2026-12-06T09:00:00.000Z',
      startedAt: '2026-12-06T09:00:01.000Z',
      completedAt: '2026-12-06T09:00:04.000Z',
    });
  });

  it('a wrong signature is detectable: another secret, a changed body, a stale timestamp', async () => {
    const { webhooks, target } = deliverer();
    await webhooks.deliver(target, job('job-1'));
    const [request] = receiver.received;
    const header = signatureOf(request!);
    expect(verifyWebhookSignature('whsec-another-tenant-0000', header, request!.body)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(SECRET, header, request!.body.replace('COMPLETED', 'FAILED'))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    const inTenMinutes = Date.now() + 600_000;
    expect(verifyWebhookSignature(SECRET, header, request!.body, 300, inTenMinutes)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('gets through to a receiver that fails three times, on the fourth try, each try freshly signed', async () => {
    const { webhooks, target, count } = deliverer();
    receiver.script({ status: 500 }, { status: 502 }, { status: 503 });
    await expect(webhooks.deliver(target, job('job-1'))).resolves.toBe('delivered');
    expect(receiver.received).toHaveLength(4);
    expect(
      new Set(receiver.received.map((request) => request.headers[DELIVERY_ID_HEADER.toLowerCase()])),
    ).toEqual(new Set(['job-1.completed']));
    for (const request of receiver.received)
      expect(verifyWebhookSignature(SECRET, signatureOf(request), request.body).valid).toBe(true);
    expect([await count('retried'), await count('delivered')]).toEqual([3, 1]);
  });

  it('retries a 429 and a reply that does not come within the request timeout', async () => {
    const { webhooks, target, count } = deliverer({ ...FAST, requestTimeoutMs: 200 });
    receiver.script({ status: 429, headers: { 'retry-after': '0' } }, 'hang');
    await expect(webhooks.deliver(target, job('job-1'))).resolves.toBe('delivered');
    expect(receiver.received).toHaveLength(3);
    expect(await count('retried')).toBe(2);
  });

  it('retries a refused connection', async () => {
    const { webhooks, count } = deliverer({ ...FAST, maxAttempts: 2 });
    const closed = await startWebhookReceiver();
    await closed.close();
    await expect(webhooks.deliver({ url: closed.url, secret: SECRET }, job('job-1'))).resolves.toBe(
      'exhausted',
    );
    expect([await count('retried'), await count('exhausted')]).toEqual([1, 1]);
  });

  it.each([400, 401, 404, 410, 302])('does not retry a %i', async (status) => {
    const { webhooks, target, count } = deliverer();
    receiver.script({ status, headers: status === 302 ? { location: 'http://127.0.0.1:9/elsewhere' } : {} });
    await expect(webhooks.deliver(target, job('job-1'))).resolves.toBe('rejected');
    expect(receiver.received).toHaveLength(1);
    expect(await count('rejected')).toBe(1);
  });

  it('gives up after the last try, the result counted as exhausted', async () => {
    const { webhooks, target, count } = deliverer({ ...FAST, maxAttempts: 3 });
    receiver.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await expect(webhooks.deliver(target, job('job-1'))).resolves.toBe('exhausted');
    expect(receiver.received).toHaveLength(3);
    expect([await count('retried'), await count('exhausted')]).toEqual([2, 1]);
  });

  it('never holds up the caller: nothing is sent in its turn, and a full set of pending deliveries drops', async () => {
    const { webhooks, target, count } = deliverer({ ...FAST, maxPending: 1 });
    receiver.script('hang');
    const first = webhooks.deliver(target, job('job-1'));
    expect(receiver.received).toHaveLength(0);
    await expect(webhooks.deliver(target, job('job-2'))).resolves.toBe('dropped');
    expect(await count('dropped')).toBe(1);
    await waitUntil(() => receiver.received.length === 1, 5_000, 'the first POST');
    await receiver.close(); // the hung reply ends in a network error, then the retry lands nowhere
    receiver = await startWebhookReceiver();
    await webhooks.close();
    await expect(first).resolves.toMatch(/^(exhausted|abandoned)$/);
  });

  it('sendOnce makes one try for a durable queue, counting a retryable failure on the last try as exhausted', async () => {
    const { webhooks, target, count } = deliverer();
    receiver.script({ status: 503 }, { status: 503 });
    await expect(webhooks.sendOnce(target, job('job-1'), { number: 1, last: false })).resolves.toMatchObject({
      kind: 'retryable',
      status: 503,
    });
    await expect(webhooks.sendOnce(target, job('job-1'), { number: 2, last: true })).resolves.toMatchObject({
      kind: 'retryable',
    });
    expect(receiver.received).toHaveLength(2);
    expect([await count('retried'), await count('exhausted')]).toEqual([1, 1]);
  });

  it('on close, gives up a delivery waiting for its next try', async () => {
    const { webhooks, target, count } = deliverer({ ...FAST, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    receiver.script({ status: 500 });
    const delivery = webhooks.deliver(target, job('job-1'));
    await waitUntil(() => receiver.received.length === 1, 5_000, 'the first POST');
    await webhooks.close();
    await expect(delivery).resolves.toBe('abandoned');
    await expect(webhooks.deliver(target, job('job-2'))).resolves.toBe('dropped');
    expect([await count('abandoned'), await count('dropped')]).toEqual([1, 1]);
  });

  it('on close, does not wait for deliveries queued behind the concurrency (close used to hang on them)', async () => {
    const { webhooks, target } = deliverer({ ...FAST, concurrency: 1, requestTimeoutMs: 300 });
    receiver.script('hang', 'hang', 'hang', 'hang', 'hang');
    const deliveries = ['job-1', 'job-2', 'job-3', 'job-4'].map((id) => webhooks.deliver(target, job(id)));
    await waitUntil(() => receiver.received.length === 1, 5_000, 'the first POST');
    // Only the POST under way is waited for (its 300 ms timeout bounds it); the three queued behind it are
    // given up. cockatiel's bulkhead settles one queued call per slot freed after the abort, so the old code
    // waited for the third and fourth forever.
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      webhooks.close().then(() => 'closed'),
      new Promise((resolve) => (timer = setTimeout(resolve, 3_000, 'still open after 3 s'))),
    ]);
    clearTimeout(timer);
    expect(closed).toBe('closed');
    const outcomes = await Promise.all(deliveries);
    expect(outcomes[0]).toMatch(/^(exhausted|abandoned)$/);
    expect(outcomes.slice(1)).toEqual(['abandoned', 'abandoned', 'abandoned']);
    expect(receiver.received).toHaveLength(1);
  });

  it('logs each try without the secret, the body or the URL path', async () => {
    const { webhooks, lines } = deliverer();
    const target = { url: `${receiver.url}?token=receiver-query-token`, secret: SECRET };
    receiver.script({ status: 500 }, { status: 400 });
    await webhooks.deliver(target, job('job-1', { summary: { text: 'Acme will lay off 40 people.' } }));
    await webhooks.deliver(target, job('job-2'));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      for (const hidden of [SECRET, 'receiver-query-token', '/hooks/ai-jobs', 'lay off', '"resultType"']) {
        expect(line).not.toContain(hidden);
      }
    }
    expect(lines.map((line) => (JSON.parse(line) as { outcome: string }).outcome)).toEqual([
      'retried',
      'rejected',
      'delivered',
    ]);
  });
});
