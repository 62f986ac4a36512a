// The kept samples' store (migration 009_samples.sql) on PGlite and PostgreSQL: newest first, grades filled in
// after the row is written or written with it, one tenant's rows invisible to another through the store and under row level
// security alone, and expiry: an expired row is never read, and the sweep deletes every tenant's expired rows
// (and only those) though it runs with no tenant set.
import { randomUUID } from 'node:crypto';
import { createSqlSampleStore } from '../../subgraph/observability/quality/sql-sample-store';
import type { NewSample, SampleStore } from '../../subgraph/observability/quality/sample-store';
import { BACKENDS, asRole, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const DAY_MS = 24 * 60 * 60 * 1000;

function sample(tenantId: string, overrides: Partial<NewSample> = {}): NewSample {
  return {
    tenantId,
    sampleId: randomUUID(),
    requestId: randomUUID(),
    feature: 'ask',
    createdAt: new Date(),
    retentionDays: 30,
    input: 'When does the warranty end?',
    chunkIds: ['doc-1#0', 'doc-1#2'],
    output: 'The warranty ends after two years [1].',
    outcome: 'full',
    reason: null,
    ...overrides,
  };
}

describe.each(BACKENDS)('the sample store on %s', (backend) => {
  let store: TestStore;
  let samples: SampleStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    samples = createSqlSampleStore(store.current.db, store);
  });

  afterAll(() => store?.dispose());

  /** Every row of the table `tenantId` (or, null, no tenant) sees as the app role, with no filter of its own. */
  const visibleRows = (tenantId: string | null) =>
    asRole(store.current, store.appRole, tenantId, async (tx) => {
      const { rows } = await tx.query<{ tenant_id: string; sample_id: string }>(
        `SELECT tenant_id, sample_id FROM ${store.schema}.samples`,
      );
      return rows;
    });

  it('reads a tenant’s samples newest first, up to the limit, with every field as written', async () => {
    const now = Date.now();
    const oldest = sample('recent', { createdAt: new Date(now - 3000) });
    const middle = sample('recent', {
      createdAt: new Date(now - 2000),
      feature: 'summarize',
      outcome: 'degraded',
      reason: 'PROVIDER_TIMEOUT',
      chunkIds: [],
    });
    const newest = sample('recent', { createdAt: new Date(now - 1000) });
    for (const each of [middle, oldest, newest]) await samples.put(each);

    const read = await samples.recent('recent', 2, 3650);
    expect(read.map((s) => s.sampleId)).toEqual([newest.sampleId, middle.sampleId]);
    expect(read[1]).toEqual({
      sampleId: middle.sampleId,
      requestId: middle.requestId,
      feature: 'summarize',
      createdAt: middle.createdAt,
      input: middle.input,
      chunkIds: [],
      output: middle.output,
      outcome: 'degraded',
      reason: 'PROVIDER_TIMEOUT',
      quality: null,
    });
    expect(read[0]?.chunkIds).toEqual(['doc-1#0', 'doc-1#2']);
  });

  it('shows a sample’s grades once they are written, null until then', async () => {
    const graded = sample('grades');
    await samples.put(graded);
    expect((await samples.recent('grades', 10, 3650))[0]?.quality).toBeNull();

    await samples.grade('grades', graded.sampleId, {
      grounding: 0.75,
      citationsValid: false,
      abstained: false,
    });
    expect((await samples.recent('grades', 10, 3650))[0]?.quality).toEqual({
      grounding: 0.75,
      citationsValid: false,
      abstained: false,
    });

    const abstained = sample('grades', { createdAt: new Date(Date.now() + 1000) });
    await samples.put(abstained);
    await samples.grade('grades', abstained.sampleId, {
      grounding: null,
      citationsValid: null,
      abstained: true,
    });
    expect((await samples.recent('grades', 1, 3650))[0]?.quality).toEqual({
      grounding: null,
      citationsValid: null,
      abstained: true,
    });
  });

  it('keeps a sample graded before it was kept with its grades, in the one write', async () => {
    const graded = sample('graded-put', {
      quality: { grounding: 0.5, citationsValid: true, abstained: false },
    });
    await samples.put(graded);
    const abstained = sample('graded-put', {
      createdAt: new Date(Date.now() + 1000),
      quality: { grounding: null, citationsValid: null, abstained: true },
    });
    await samples.put(abstained);
    expect((await samples.recent('graded-put', 10, 3650)).map((kept) => kept.quality)).toEqual([
      { grounding: null, citationsValid: null, abstained: true },
      { grounding: 0.5, citationsValid: true, abstained: false },
    ]);
  });

  it('keeps tenant A’s samples from tenant B, through the store and under row level security alone', async () => {
    const ofA = sample('iso-a');
    const ofB = sample('iso-b');
    await samples.put(ofA);
    await samples.put(ofB);

    expect((await samples.recent('iso-a', 100, 3650)).map((s) => s.sampleId)).toEqual([ofA.sampleId]);
    expect((await samples.recent('iso-b', 100, 3650)).map((s) => s.sampleId)).toEqual([ofB.sampleId]);
    // B grading A's sample by its id changes nothing: the update sees B's rows only.
    await samples.grade('iso-b', ofA.sampleId, { grounding: 0, citationsValid: false, abstained: true });
    expect((await samples.recent('iso-a', 1, 3650))[0]?.quality).toBeNull();

    // A query with no tenant filter: row level security alone keeps it to the tenant set, and to none unset.
    const seenByB = await visibleRows('iso-b');
    expect(seenByB.every((row) => row.tenant_id === 'iso-b')).toBe(true);
    expect(seenByB.map((row) => row.sample_id)).toContain(ofB.sampleId);
    expect(await visibleRows(null)).toEqual([]);
    // Nor may B write a row in A's name.
    await expect(
      asRole(store.current, store.appRole, 'iso-b', (tx) =>
        tx.query(
          `INSERT INTO ${store.schema}.samples (tenant_id, sample_id, request_id, feature, created_at, expires_at,
             input, output, outcome) VALUES ('iso-a', 'forged', 'r', 'ask', now(), now() + interval '1 day', 'i', 'o', 'full')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('keeps a batch of several tenants’ samples each in its own tenant’s rows, in one transaction', async () => {
    const batch = [
      sample('batch-a', { createdAt: new Date(Date.now() - 2000) }),
      sample('batch-b', { quality: { grounding: 1, citationsValid: true, abstained: false } }),
      sample('batch-a', { createdAt: new Date(Date.now() - 1000), feature: 'summarize', chunkIds: [] }),
    ];
    await samples.putAll(batch);

    expect(await samples.recent('batch-a', 10, 3650)).toEqual(
      [batch[2], batch[0]].map((kept) => ({
        sampleId: kept?.sampleId,
        requestId: kept?.requestId,
        feature: kept?.feature,
        createdAt: kept?.createdAt,
        input: kept?.input,
        chunkIds: kept?.chunkIds,
        output: kept?.output,
        outcome: kept?.outcome,
        reason: kept?.reason,
        quality: null,
      })),
    );
    expect((await samples.recent('batch-b', 10, 3650)).map((kept) => [kept.sampleId, kept.quality])).toEqual([
      [batch[1]?.sampleId, { grounding: 1, citationsValid: true, abstained: false }],
    ]);
    expect((await visibleRows('batch-b')).map((row) => row.tenant_id)).toEqual(['batch-b']);
  });

  it('keeps none of a batch when one of its rows fails', async () => {
    const good = sample('batch-fails');
    const bad = sample('batch-fails-too', {
      quality: { grounding: 2, citationsValid: null, abstained: false },
    });
    await expect(samples.putAll([good, bad])).rejects.toThrow(/check constraint/);
    expect(await samples.recent('batch-fails', 10, 3650)).toEqual([]);
  });

  it('never reads a sample past its retention, and the sweep deletes every tenant’s expired samples only', async () => {
    const expiredA = sample('exp-a', { createdAt: new Date(Date.now() - 31 * DAY_MS), retentionDays: 30 });
    const expiredB = sample('exp-b', { createdAt: new Date(Date.now() - 2 * DAY_MS), retentionDays: 1 });
    const liveA = sample('exp-a', { createdAt: new Date(Date.now() - 29 * DAY_MS), retentionDays: 30 });
    const liveB = sample('exp-b');
    for (const each of [expiredA, expiredB, liveA, liveB]) await samples.put(each);

    // Not yet swept, and already unreadable.
    expect((await samples.recent('exp-a', 100, 3650)).map((s) => s.sampleId)).toEqual([liveA.sampleId]);
    expect((await samples.recent('exp-b', 100, 3650)).map((s) => s.sampleId)).toEqual([liveB.sampleId]);
    expect((await visibleRows('exp-a')).map((row) => row.sample_id)).toContain(expiredA.sampleId);

    await samples.sweepExpired();
    expect((await visibleRows('exp-a')).map((row) => row.sample_id)).toEqual([liveA.sampleId]);
    expect((await visibleRows('exp-b')).map((row) => row.sample_id)).toEqual([liveB.sampleId]);
  });
});
