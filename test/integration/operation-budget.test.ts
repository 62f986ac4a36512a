// One operation's AI work over HTTP, as a router's `_entities` fetch or a client's aliases ask for it: identical
// work runs once, distinct work stops at MAX_AI_FIELDS_PER_OPERATION (the rest RATE_LIMITED, the operation
// still answered), a list longer than the old cap of 100 representations is answered entity by entity, and a
// heavy request leaves the event loop free for /healthz. The fake provider counts the model calls.
import { get } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { SUMMARIZE_RESULT } from '../support/operations';
import type { SummarizeResult } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

// The default, set here rather than read from the subgraph's config.
const MAX_AI_FIELDS_PER_OPERATION = 20;
// Where MAX_ENTITY_REPRESENTATIONS used to refuse a whole `_entities` field.
const OLD_REPRESENTATION_CAP = 100;

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Document { id aiSummary { ${SUMMARIZE_RESULT} } } }
}`;

/** Ten aliases of aiSummary, maxWords 10 to 19: ten distinct summaries of every entity. */
const MAX_WORDS = Array.from({ length: 10 }, (_, i) => 10 + i);
const ALIASED_ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Document { id ${MAX_WORDS.map((n) => `w${n}: aiSummary(maxWords: ${n}) { ${SUMMARIZE_RESULT} }`).join(' ')} }
  }
}`;

interface Entity {
  id: string;
  aiSummary: SummarizeResult;
}
type AliasedEntity = { id: string } & Record<`w${number}`, SummarizeResult>;

/** A GET on a connection of its own: a pooled keep-alive connection could be one the server has let go. */
const statusOf = (url: URL): Promise<number | undefined> =>
  new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    }).on('error', reject);
  });

const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'Document', id }));

/** A short document of its own per tenant and id, so no test reads another's cached completion. */
const smallDocument = (tenant: string, id: string) => ({
  id,
  title: `Pelican report ${id}`,
  body: `Pelicans of ${tenant} nest on pier ${id}. The pier ${id} census counts pelicans every spring.`,
});

function expectBudgetSpent(result: SummarizeResult | undefined, limit: number): void {
  expect(result).toEqual({
    __typename: 'AIUnavailable',
    reason: 'RATE_LIMITED',
    retryAfterSeconds: null,
    message: expect.stringContaining(`budget of ${limit} AI fields (MAX_AI_FIELDS_PER_OPERATION)`),
  });
}

describe('the AI work of one operation', () => {
  const providers = useFakeProviders(['openai']);
  let harness: Harness;
  let tenantNumber = 0;
  const nextTenant = () => `budget-${process.pid}-${(tenantNumber += 1)}`;

  beforeAll(async () => {
    harness = await startHarness({ providers });
  });
  afterAll(() => harness?.stop());

  it('100 representations of the same document summarize it once: one model call, one request in usage', async () => {
    const client = harness.as(nextTenant());
    await client.ingest(smallDocument(client.tenant, 'same'));
    providers.reset();

    const data = await client.data<{ _entities: Entity[] }>(ENTITIES, {
      r: representations(Array.from({ length: 100 }, () => 'same')),
    });

    expect(data._entities).toHaveLength(100);
    const first = data._entities[0]?.aiSummary;
    expect(first?.__typename).toBe('Summary');
    for (const entity of data._entities) expect(entity.aiSummary).toEqual(first);
    expect(providers.requestCount()).toBe(1);
    const summarize = (await client.usage()).byFeature.find((usage) => usage.feature === 'summarize');
    expect(summarize?.requests).toBe(1);
  });

  it('40 representations × 10 aliased aiSummary fields make 20 model calls; the other 380 fields are RATE_LIMITED naming MAX_AI_FIELDS_PER_OPERATION', async () => {
    const client = harness.as(nextTenant());
    const ids = Array.from({ length: 40 }, (_, i) => `doc-${i}`);
    for (const id of ids) await client.ingest(smallDocument(client.tenant, id));
    providers.reset();

    const data = await client.data<{ _entities: AliasedEntity[] }>(ALIASED_ENTITIES, {
      r: representations(ids),
    });

    expect(data._entities.map((entity) => entity.id)).toEqual(ids);
    const fields = data._entities.flatMap((entity) => MAX_WORDS.map((n) => entity[`w${n}`]));
    expect(fields).toHaveLength(400);
    const served = fields.filter((field) => field?.__typename === 'Summary');
    expect(served).toHaveLength(MAX_AI_FIELDS_PER_OPERATION);
    for (const field of fields.filter((field) => field?.__typename !== 'Summary')) {
      expectBudgetSpent(field, MAX_AI_FIELDS_PER_OPERATION);
    }
    expect(providers.requestCount()).toBe(MAX_AI_FIELDS_PER_OPERATION);
  });

  // A router sends one `_entities` fetch for a whole list and cannot split it: refusing the field would null
  // every Document of the list in the supergraph (aiSummary is non-null), the owner subgraph's fields with it.
  it(`a router list of more than ${OLD_REPRESENTATION_CAP} Documents loses every Document: ${OLD_REPRESENTATION_CAP + 1} representations are ${OLD_REPRESENTATION_CAP + 1} entities, ${MAX_AI_FIELDS_PER_OPERATION} summarized and the rest RATE_LIMITED naming MAX_AI_FIELDS_PER_OPERATION`, async () => {
    const client = harness.as(nextTenant());
    const ids = Array.from({ length: OLD_REPRESENTATION_CAP + 1 }, (_, i) => `long-list-${i}`);
    for (const id of ids.slice(0, MAX_AI_FIELDS_PER_OPERATION + 5))
      await client.ingest(smallDocument(client.tenant, id));
    providers.reset();

    const response = await client.request<{ _entities: Entity[] }>(ENTITIES, { r: representations(ids) });

    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data?._entities ?? [];
    expect(entities.map((entity) => entity.id)).toEqual(ids);
    const served = entities.filter((entity) => entity.aiSummary.__typename === 'Summary');
    expect(served).toHaveLength(MAX_AI_FIELDS_PER_OPERATION);
    for (const entity of entities.filter((entity) => entity.aiSummary.__typename !== 'Summary')) {
      expectBudgetSpent(entity.aiSummary, MAX_AI_FIELDS_PER_OPERATION);
    }
    // Past the budget nothing runs: one model call per served summary, and only those are metered.
    expect(providers.requestCount()).toBe(MAX_AI_FIELDS_PER_OPERATION);
    const summarize = (await client.usage()).byFeature.find((usage) => usage.feature === 'summarize');
    expect(summarize?.requests).toBe(MAX_AI_FIELDS_PER_OPERATION);
  });
});

describe('an operation budget of 3 (MAX_AI_FIELDS_PER_OPERATION=3)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { MAX_AI_FIELDS_PER_OPERATION: '3' } });
  });
  afterAll(() => harness?.stop());

  it('search, ask and summarize share the budget: a fourth distinct field is RATE_LIMITED, a repeat of the first is served', async () => {
    const client = harness.as(`budget-mixed-${process.pid}`);
    await client.ingest(smallDocument(client.tenant, 'mixed'));
    const data = await client.data<Record<string, { __typename: string } & Partial<SummarizeResult>>>(
      `query {
        first: search(input: { query: "pelicans" }) { __typename }
        second: ask(input: { question: "Where do pelicans nest?" }) { __typename }
        third: summarize(input: { documentId: "mixed" }) { __typename }
        fourth: search(input: { query: "census" }) { __typename ... on AIUnavailable { reason message retryAfterSeconds } }
        again: search(input: { query: "pelicans" }) { __typename }
      }`,
    );
    expect(data.first?.__typename).toBe('DegradedSearchResults');
    expect(data.second?.__typename).toBe('DegradedAnswer');
    expect(data.third?.__typename).toBe('DegradedSummary');
    expectBudgetSpent(data.fourth as SummarizeResult, 3);
    expect(data.again?.__typename).toBe('DegradedSearchResults');
  });
});

describe('a heavy _entities request and the event loop', () => {
  let harness: Harness;

  beforeAll(async () => {
    // No provider: every summary is the extractive floor, the CPU-heavy path.
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  /** Extractive summaries finished so far, read from the subgraph's own metrics registry. */
  const floorsDone = async (): Promise<number> => {
    const { values } = await harness.app.metrics.stageDuration.get();
    return values
      .filter((v) => v.metricName === 'ai_stage_duration_seconds_count')
      .filter((v) => v.labels.stage === 'extractive.summarize')
      .reduce((sum, v) => sum + v.value, 0);
  };

  it('/healthz answers while a heavy _entities request summarizes a 1 MB document, before that request finishes', async () => {
    const client = harness.as(`budget-heavy-${process.pid}`);
    const sentence = (i: number) =>
      `Harbor cranes unload container ${i} before the tide turns at the northern quay. `;
    let body = '';
    for (let i = 0; body.length < 990_000; i += 1) body += sentence(i) + (i % 12 === 11 ? '\n\n' : '');
    await client.ingest({ id: 'megabyte', title: 'Harbor log', body });
    const heavyQuery = `query($r: [_Any!]!) {
      _entities(representations: $r) {
        ... on Document { ${MAX_WORDS.map((n) => `w${n}: aiSummary(maxWords: ${n}) { __typename }`).join(' ')} }
      }
    }`;
    const before = await floorsDone();

    const order: string[] = [];
    let heavySettled = false;
    // Two representations × ten maxWords: twenty fields, ten distinct summaries of the same megabyte.
    const heavy = client
      .request<{ _entities: Record<string, { __typename: string }>[] }>(heavyQuery, {
        r: representations(['megabyte', 'megabyte']),
      })
      .finally(() => {
        heavySettled = true;
        order.push('heavy');
      });
    // The test shares the subgraph's event loop: this loop only turns between the subgraph's own tasks.
    while (!heavySettled && (await floorsDone()) === before) await nextTurn();
    const health = statusOf(new URL('/healthz', harness.url)).then((status) => {
      order.push('healthz');
      return status;
    });

    expect(await health).toBe(200);
    const response = await heavy;
    expect(order).toEqual(['healthz', 'heavy']);
    expect(response.body.errors).toBeUndefined();
    const fields = response.body.data?._entities.flatMap((entity) => Object.values(entity)) ?? [];
    expect(fields).toHaveLength(20);
    for (const field of fields) expect(field.__typename).toBe('DegradedSummary');
    expect(await floorsDone()).toBe(before + 10);
  });
});
