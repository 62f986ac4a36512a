// Finding: webhook head-of-line blocking across tenants. A replica posts at most 4 notices at once, taken oldest
// first, and a retried notice keeps its first place in line: a tenant whose receiver hangs until the POST's
// timeout filled every slot with its notices and their retries, and another tenant's notice waited behind all
// of them. Now one tenant has at most half the slots in flight, and the fetch passes over a tenant at its share.
// The webhook loop on PGlite with the real pg-boss queue and real receivers on loopback; A's receiver never
// answers, each POST is cut after 300 ms and retried at once. Six notices of A are queued, then one of B: B's
// POST arrives while A's are still being tried (before, seconds later, once A's tries ran out). On PGlite and
// PostgreSQL, whose pg-boss tables the fair fetch reads.
import { randomUUID } from 'node:crypto';
import { openJobQueue } from '../../subgraph/jobs/job-queue';
import type { JobQueue } from '../../subgraph/jobs/job-queue';
import type { JobRecord } from '../../subgraph/jobs/job-record';
import { createWebhookDeliverer } from '../../subgraph/jobs/webhook-deliverer';
import { createWebhookWorker } from '../../subgraph/jobs/webhook-worker';
import type { WebhookWorker } from '../../subgraph/jobs/webhook-worker';
import { createMetrics } from '../../subgraph/observability/metrics';
import { loadTenantPolicies } from '../../subgraph/tenancy/tenant-policies';
import { capturingLogger } from '../support/logs';
import { BACKENDS, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { waitFor } from '../support/wait-for';
import { startWebhookReceiver } from '../support/webhook-receiver';
import type { WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(60_000);

const TIMEOUT_MS = 300;
const A_NOTICES = 6;

describe.each(BACKENDS)('the webhook loop on %s', (backend) => {
  let store: TestStore;
  let queue: JobQueue;
  let hanging: WebhookReceiver;
  let prompt: WebhookReceiver;
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    store = await openTestStore(backend);
    [hanging, prompt] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
    hanging.script(...Array.from({ length: 200 }, () => 'hang' as const));
    queue = await openJobQueue(
      store.current.db,
      {
        schema: `${store.schema}_queue`,
        expireSeconds: 60,
        retryLimit: 0,
        retryDelaySeconds: 1,
        maintenanceIntervalSeconds: 300,
        // Eight retries, each at once: A's notices are due again as soon as their POST is cut.
        webhookRetryLimit: 8,
        webhookRetryDelaySeconds: 0,
      },
      () => undefined,
    );
  });

  afterAll(async () => {
    await worker?.stop();
    await queue?.stop();
    await Promise.all([hanging?.close(), prompt?.close()]);
    await store?.dispose();
  });

  /** A finished job of the tenant, as the store would read it (the loop reads each notice's job). */
  const finishedJob = (tenantId: string, id: string): JobRecord => ({
    id,
    tenantId,
    kind: 'summary',
    status: 'completed',
    attempts: 1,
    createdAt: new Date(),
    startedAt: new Date(),
    completedAt: new Date(),
    result: null,
  });

  it('a tenant whose receiver hangs does not hold back another tenant’s notice', async () => {
    const { logger } = capturingLogger('error');
    const tenants = loadTenantPolicies({
      label: 'TENANT_POLICIES_JSON',
      raw: {
        tenants: {
          slow: { jobs: { webhookUrl: hanging.url, webhookSecret: 'whsec-fair-a-5c1d9e2b7f3a' } },
          quick: { jobs: { webhookUrl: prompt.url, webhookSecret: 'whsec-fair-b-8e4f2a6c0d1b' } },
        },
      },
    });
    const db = store.current.db;
    for (let i = 0; i < A_NOTICES; i += 1) {
      await db.transaction((tx) => queue.sendWebhook(tx, { jobId: randomUUID(), tenantId: 'slow' }));
    }
    const quickJob = randomUUID();
    await db.transaction((tx) => queue.sendWebhook(tx, { jobId: quickJob, tenantId: 'quick' }));

    const started = Date.now();
    worker = createWebhookWorker({
      queue,
      find: (tenantId, id) => Promise.resolve(finishedJob(tenantId, id)),
      tenants,
      retries: { limit: 8, delaySeconds: 0 },
      deliverer: createWebhookDeliverer({
        logger,
        outcomes: createMetrics({ defaultMetrics: false }).jobWebhooks,
        settings: { requestTimeoutMs: TIMEOUT_MS },
      }),
      logger,
      concurrency: 4,
      pollIntervalMs: 50,
    });
    worker.start();

    const delivered = await waitFor(() => prompt.received[0], 10_000, 'the quick tenant’s notice');
    expect((JSON.parse(delivered.body) as { id: string }).id).toBe(quickJob);
    // Within one round of A's POSTs cut at their timeout, not after every try of every one of A's notices.
    expect(Date.now() - started).toBeLessThan(3 * TIMEOUT_MS);
    // A's receiver was being tried all the while.
    expect(hanging.received.length).toBeGreaterThan(0);
  });
});
