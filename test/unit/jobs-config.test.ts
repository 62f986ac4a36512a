// The background jobs' settings: JOB_* variables (defaults, and a bad value stops the start naming it) and the
// tenant policy's `jobs` entry (merged key by key over the default, positive integers only).
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';
import { DEFAULT_JOBS_POLICY } from '../../subgraph/tenancy/jobs-policy';

describe('background job configuration', () => {
  it('defaults to a two-minute deadline, four runs at once, two retries', () => {
    expect(loadConfig({}).jobs).toEqual({
      deadlineMs: 120_000,
      expiryMarginMs: 30_000,
      concurrency: 4,
      maxLoopUtilization: 0.7,
      maxDatabaseUtilization: 0.85,
      pollIntervalMs: 1_000,
      retryLimit: 2,
      retryDelaySeconds: 5,
      maintenanceIntervalSeconds: 15,
      summaryPartChars: 16_000,
      webhookRetryLimit: 8,
      webhookRetryDelaySeconds: 2,
      retentionDays: 30,
      retentionIntervalMs: 3_600_000,
    });
  });

  it('JOB_RETENTION_DAYS=0 keeps finished jobs forever', () => {
    expect(loadConfig({ JOB_RETENTION_DAYS: '0' }).jobs.retentionDays).toBe(0);
  });

  it('takes each variable as given; JOB_CONCURRENCY=0 makes a replica that only queues', () => {
    const jobs = loadConfig({ JOB_DEADLINE_MS: '600000', JOB_CONCURRENCY: '0', JOB_RETRY_LIMIT: '0' }).jobs;
    expect(jobs).toMatchObject({ deadlineMs: 600_000, concurrency: 0, retryLimit: 0 });
  });

  it.each([
    ['JOB_DEADLINE_MS', '500'],
    ['JOB_CONCURRENCY', '-1'],
    ['JOB_CONCURRENCY', 'four'],
    ['JOB_POLL_INTERVAL_MS', '0'],
    ['JOB_MAX_LOOP_UTILIZATION', '0'],
    ['JOB_MAX_LOOP_UTILIZATION', '1.5'],
    ['JOB_MAX_DATABASE_UTILIZATION', '0.05'],
    ['JOB_EXPIRY_MARGIN_MS', '10'],
    ['JOB_RETRY_DELAY_SECONDS', '0'],
    ['JOB_MAINTENANCE_INTERVAL_SECONDS', '1.5'],
    ['JOB_SUMMARY_PART_CHARS', '100'],
    ['JOB_WEBHOOK_RETRY_LIMIT', '21'],
    ['JOB_WEBHOOK_RETRY_DELAY_SECONDS', '-1'],
    ['JOB_RETENTION_DAYS', '-1'],
    ['JOB_RETENTION_DAYS', '0.5'],
    ['JOB_RETENTION_INTERVAL_MS', '10'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    const load = () => loadConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${variable} `));
  });
});

describe("the tenant policy's jobs entry", () => {
  const inline = (document: unknown) =>
    loadConfig({ TENANT_POLICIES_JSON: JSON.stringify(document) }).tenants;

  it('merges key by key over the default entry, then over the built-in limits', () => {
    const policies = inline({
      default: { jobs: { maxRunning: 2 } },
      tenants: { acme: { jobs: { maxQueued: 10 } } },
    });
    expect(policies.forTenant('acme').jobs).toEqual({ maxQueued: 10, maxRunning: 2 });
    expect(policies.forTenant('globex').jobs).toEqual({ ...DEFAULT_JOBS_POLICY, maxRunning: 2 });
  });

  it.each([
    ['maxQueued', 0],
    ['maxQueued', 2.5],
    ['maxRunning', -1],
    ['maxRunning', '3'],
    ['maxWaiting', 3],
  ])('refuses jobs.%s = %p, naming the path', (key, bad) => {
    expect(() => inline({ tenants: { acme: { jobs: { [key]: bad } } } })).toThrow(
      new RegExp(`^TENANT_POLICIES_JSON at tenants\\.acme\\.jobs`),
    );
  });
});
