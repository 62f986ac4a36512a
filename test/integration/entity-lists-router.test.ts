// `_entities` as Apollo Router sends it: one fetch per list, which the router cannot split, and whose null items
// null the Documents in the supergraph (aiSummary is non-null), the owner subgraph's fields with them. So each
// representation is answered on its own: an owner's id that this subgraph's ingest refuses is a Document whose
// aiSummary is NOT_FOUND, and past the hard ceiling (MAX_ENTITY_REPRESENTATIONS, 5 here) each item is its own
// null under one error, the ones before it served; a list of 100,000 costs the ceiling's worth and one error.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import { SUMMARIZE_RESULT } from '../support/operations';
import type { SummarizeResult } from '../support/results';

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { __typename ... on Document { id aiSummary { ${SUMMARIZE_RESULT} } } }
}`;

interface Entity {
  __typename: string;
  id: string;
  aiSummary: SummarizeResult;
}

const CEILING = 5;
/** pino's level number for `error`. */
const ERROR_LEVEL = 50;

const documentOf = (id: string) => ({ __typename: 'Document', id });

describe('a router list of Documents is answered entity by entity', () => {
  const { logger, lines } = capturingLogger('info');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      logger,
      // Room for 100,000 representations in one body (~3.5 MB).
      env: { MAX_ENTITY_REPRESENTATIONS: String(CEILING), MAX_REQUEST_BYTES: '5000000' },
    });
  });
  afterAll(() => harness?.stop());

  it("a router list of more than 100 Documents loses every Document: an owner's id that ingest refuses (257 characters, blank, empty) is a Document with aiSummary NOT_FOUND, not a null entity", async () => {
    const client = harness.as(`entity-owner-ids-${process.pid}`);
    await client.ingest({ id: 'doc-kept', title: 'Tern log', body: 'The tern colony nests on the dune.' });
    const ids = ['d'.repeat(257), '   ', '', 'doc-kept'];

    const response = await client.request<{ _entities: (Entity | null)[] }>(ENTITIES, {
      r: ids.map(documentOf),
    });

    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data?._entities ?? [];
    expect(entities.map((entity) => entity?.id)).toEqual(ids);
    for (const entity of entities.slice(0, 3)) {
      expect(entity?.aiSummary).toEqual({
        __typename: 'AIUnavailable',
        reason: 'NOT_FOUND',
        message: 'No such document for this tenant',
        retryAfterSeconds: null,
      });
    }
    expect(entities[3]?.aiSummary.__typename).toBe('DegradedSummary');
  });

  it(`a router list of more than 100 Documents loses every Document: past the hard ceiling (${CEILING}) each item is its own null under one BAD_USER_INPUT error, the ${CEILING} before it served`, async () => {
    const client = harness.as(`entity-ceiling-${process.pid}`);
    const ids = Array.from({ length: CEILING + 3 }, (_, i) => `ceiling-${i}`);

    const response = await client.request<{ _entities: (Entity | null)[] }>(ENTITIES, {
      r: ids.map(documentOf),
    });

    expect(response.status).toBe(200);
    const entities = response.body.data?._entities ?? [];
    expect(entities).toHaveLength(ids.length);
    expect(entities.slice(0, CEILING).map((entity) => entity?.aiSummary.__typename)).toEqual(
      Array.from({ length: CEILING }, () => 'AIUnavailable'),
    );
    expect(entities.slice(CEILING)).toEqual([null, null, null]);
    expect(response.body.errors).toEqual([
      {
        message:
          `representations[${CEILING}]: at most ${CEILING} representations per _entities field are resolved ` +
          `(MAX_ENTITY_REPRESENTATIONS); this one and the 2 after it are null, got ${ids.length}`,
        path: ['_entities', CEILING],
        locations: [{ line: 2, column: 3 }],
        extensions: { code: 'BAD_USER_INPUT', field: `representations[${CEILING}]` },
      },
    ]);
  });

  it('100,000 representations (unknown types, each an error if it were checked) cost the ceiling and one error more', async () => {
    const client = harness.as(`entity-huge-${process.pid}`);
    const representations = Array.from({ length: 100_000 }, (_, i) => ({
      __typename: 'Pelican',
      id: `${i}`,
    }));

    const response = await client.request<{ _entities: (Entity | null)[] }>(ENTITIES, { r: representations });

    expect(response.status).toBe(200);
    expect(response.body.data?._entities).toHaveLength(100_000);
    expect(response.body.data?._entities.every((entity) => entity === null)).toBe(true);
    // One error per checked representation, and one for all the rest.
    const indexes = (response.body.errors ?? []).map((error) => Number(error.path?.[1]));
    expect(indexes.sort((a, b) => a - b)).toEqual(Array.from({ length: CEILING + 1 }, (_, i) => i));

    await new Promise((resolve) => setImmediate(resolve));
    const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= ERROR_LEVEL)).toEqual([]);
  });
});
