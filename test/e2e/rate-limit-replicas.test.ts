// Issue 11: "a rate limit of N per minute across two processes admits at most N in a 60-second window". Two
// subgraph processes (the real entry point, as an operator starts them) share one Redis; concurrent summarize
// requests of one tenant, each a cache miss, are spread over both. At most N reach the model; the rest are
// AIUnavailable RATE_LIMITED. Counted, never timed: the whole run takes far less than the window.
import { randomBytes } from 'node:crypto';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { limitsReplicas } from '../support/limits-replicas';
import { requirePostgres, requireRedis } from '../support/services';
import type { SpawnedSubgraph } from '../support/spawn-subgraph';
import { gql } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { SUMMARIZE } from '../support/operations';
import type { SummarizeResult } from '../support/results';

jest.setTimeout(120_000);
requirePostgres();
requireRedis();

const LIMIT = 5;
const REQUESTS = 24;
const SUMMARY_TEXT = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
const replicas = limitsReplicas('rate');
let providers: FakeProviders;

afterAll(async () => {
  await replicas.stopAll();
  await providers?.close();
});

function replica(): Promise<SpawnedSubgraph> {
  return replicas.start({
    TENANT_POLICIES_JSON: JSON.stringify({ default: { limits: { requestsPerMinute: LIMIT } } }),
    ...providers.env,
  });
}

test(`a rate limit of ${LIMIT} per minute across two processes admits at most ${LIMIT} of ${REQUESTS} concurrent requests`, async () => {
  providers = await startFakeProviders(['openai'], () => SUMMARY_TEXT);
  const replicas = await Promise.all([replica(), replica()]);
  const tenant = `replicas-${randomBytes(4).toString('hex')}`;
  const token = await tokenFor(tenant);
  const results = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const url = replicas[i % 2]!.url;
      const response = await gql<{ summarize: SummarizeResult }>(url, SUMMARIZE, {
        token,
        variables: { input: { text: `${SUMMARY_TEXT} This is ledger note ${i}.` } },
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data?.summarize;
    }),
  );
  const answered = results.filter((result) => result?.__typename === 'Summary');
  const refused = results.filter((result) => result?.__typename === 'AIUnavailable');
  expect(answered.length).toBeGreaterThan(0);
  expect(answered.length).toBeLessThanOrEqual(LIMIT);
  expect(results.filter((result) => result?.__typename === 'DegradedSummary')).toEqual([]);
  expect(answered.length + refused.length).toBe(REQUESTS);
  for (const result of refused) expect(result).toMatchObject({ reason: 'RATE_LIMITED' });
  expect(providers.requestCount('/v1/chat/completions')).toBeLessThanOrEqual(LIMIT);
});
