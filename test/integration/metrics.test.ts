// /metrics as a scraper sees it: model spend is counted by feature, and no label or value names a tenant
// (per-tenant spend lives in the usage ledger, which only the tenant itself can read).
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ providers: ['openai', 'anthropic'] });
});

afterAll(() => harness?.stop());

it('exposes ai_cost_usd_total by feature only, with no tenant label', async () => {
  const tenant = `metrics-tenant-${randomBytes(4).toString('hex')}`;
  const client = harness.as(tenant);
  await client.ingest({
    id: 'm1',
    title: 'Cost memo',
    body: 'The cost memo prices zinc pallets for the warehouse.',
  });
  const answer = member(await client.ask('zinc pallets price'), 'Answer');
  expect(answer.meta.costUsd).toBeGreaterThan(0);

  const metrics = await harness.metrics();
  const samples = metrics.find('ai_cost_usd_total');
  expect(samples.length).toBeGreaterThan(0);
  for (const sample of samples) {
    expect(Object.keys(sample.labels)).toEqual(['feature']);
    expect(sample.labels.feature).toMatch(/^[a-z]+$/);
  }
  expect(metrics.value('ai_cost_usd_total', { feature: 'ask' })).toBeGreaterThan(0);
  expect(metrics.text).not.toMatch(/tenant="/);
  expect(metrics.text).not.toContain(tenant);
});
