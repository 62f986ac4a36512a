// The webhook loop looks for a notice when a job ends only where one can have been queued: its tenant has a
// webhook. A runner woke it for every job before, and each wake was a fetch of the empty webhook queue, a
// query on the store per job for tenants with no webhook at all (884 fetches for 1,400 jobs in bench:jobs).
// On PGlite with the real pg-boss queue; the fetches are counted by a wrapper that passes each one through.
import { setTimeout as sleep } from 'node:timers/promises';
import { createWebhookDeliverer } from '../../subgraph/jobs/webhook-deliverer';
import { openJobQueue, WEBHOOK_QUEUE } from '../../subgraph/jobs/job-queue';
import type { JobQueue, QueueName } from '../../subgraph/jobs/job-queue';
import { createWebhookWorker } from '../../subgraph/jobs/webhook-worker';
import type { WebhookWorker } from '../../subgraph/jobs/webhook-worker';
import { createMetrics } from '../../subgraph/observability/metrics';
import { loadTenantPolicies } from '../../subgraph/tenancy/tenant-policies';
import { capturingLogger } from '../support/logs';
import { openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { waitUntil } from '../support/wait-for';
import { startWebhookReceiver, webhookPolicies } from '../support/webhook-receiver';
import type { WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(30_000);

/** Long enough that no poll falls inside the test: every fetch after the first is a wake's. */
const POLL_NEVER_MS = 600_000;

let store: TestStore;
let queue: JobQueue;
let receiver: WebhookReceiver;
let worker: WebhookWorker;
const fetched: QueueName[] = [];
/** Fetches answered: once the first is, the loop found the queue empty and sleeps until woken. */
let answered = 0;

beforeAll(async () => {
  store = await openTestStore('pglite');
  receiver = await startWebhookReceiver();
  queue = await openJobQueue(
    store.current.db,
    {
      schema: `${store.schema}_queue`,
      expireSeconds: 60,
      retryLimit: 0,
      retryDelaySeconds: 1,
      maintenanceIntervalSeconds: 300,
      webhookRetryLimit: 0,
      webhookRetryDelaySeconds: 1,
    },
    () => undefined,
  );
  worker = startWorker();
  // The loop's first look, at start, answered: the loop is asleep now (a wake before that would be lost).
  await waitUntil(() => answered === 1, 5_000, 'the first fetch');
});

afterAll(async () => {
  await worker?.stop();
  await queue?.stop();
  await receiver?.close();
  await store?.dispose();
});

function startWorker(): WebhookWorker {
  const { logger } = capturingLogger('warn');
  const policies = {
    label: 'TENANT_POLICIES_JSON',
    raw: JSON.parse(webhookPolicies('hooked', receiver, 'whsec-wake-3f9a61c2d8e4')),
  };
  const started = createWebhookWorker({
    queue: {
      ...queue,
      fetch: (name) => {
        fetched.push(name);
        return queue.fetch(name).finally(() => (answered += 1));
      },
    },
    find: () => Promise.resolve(null),
    tenants: loadTenantPolicies(policies),
    retries: { limit: 0, delaySeconds: 1 },
    deliverer: createWebhookDeliverer({
      logger,
      outcomes: createMetrics({ defaultMetrics: false }).jobWebhooks,
    }),
    logger,
    concurrency: 4,
    pollIntervalMs: POLL_NEVER_MS,
  });
  started.start();
  return started;
}

describe('the webhook loop woken by a job’s end', () => {
  it('does not fetch the webhook queue when a job of a tenant without a webhook ends', async () => {
    for (let i = 0; i < 5; i += 1) worker.jobEnded('plain');
    await sleep(300);
    expect(fetched).toEqual([WEBHOOK_QUEUE]);
  });

  it('fetches the webhook queue at once when a job of a tenant with a webhook ends', async () => {
    const before = fetched.length;
    worker.jobEnded('hooked');
    await waitUntil(() => fetched.length === before + 1, 5_000, 'a fetch after the hooked job ended');
    expect(fetched.at(-1)).toBe(WEBHOOK_QUEUE);
  });
});
