// `_entities` as a router calls it, over HTTP: each representation resolves or fails on its own. A bad one is
// a null item with a BAD_USER_INPUT error at its index naming `representations[i]` and what is wrong with it;
// the good ones around it still resolve, and an integer id is coerced to a string as the ID scalar's input
// coercion says. A client's mistake is neither an internal error nor a line logged at error level.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import { SUMMARIZE_RESULT } from '../support/operations';
import { member } from '../support/results';
import type { SummarizeResult } from '../support/results';

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { __typename ... on Document { id aiSummary { ${SUMMARIZE_RESULT} } } }
}`;

interface Entity {
  __typename: string;
  id: string;
  aiSummary: SummarizeResult;
}

/** pino's level number for `error`: a line at or above it is an operator's alarm, not a client's mistake. */
const ERROR_LEVEL = 50;

/** Document id -> the bird every sentence of that document names, so its summary names it too. */
const CODENAMES = new Map([
  ['doc-plover', 'plover'],
  ['42', 'avocet'],
  ['doc-stilt', 'stilt'],
]);
const DOCUMENTS = [...CODENAMES].map(([id, codename]) => ({
  id,
  title: `The ${codename} survey`,
  body: `The ${codename} survey counts every ${codename} on the estuary. Each ${codename} nest is mapped in spring.`,
}));

describe('_entities: a bad representation fails only itself', () => {
  const { logger, lines } = capturingLogger('info');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ logger });
  });
  afterAll(() => harness?.stop());

  it('one _entities batch with an unknown, missing or non-entity __typename, a missing, boolean, object, fractional or NUL id and a non-object: each is BAD_USER_INPUT naming representations[i], the good ones resolve and an integer id resolves as document "42"', async () => {
    const client = harness.as(`entities-${process.pid}`);
    for (const document of DOCUMENTS) await client.ingest(document);
    const good = (id: unknown) => ({ __typename: 'Document', id });

    const NOT_ENTITY = 'is not an entity type of this subgraph (one of: Document)';
    const NOT_ID = 'must be an ID: a string, or an integer below 2^53';
    // [representation, the field its error names and why (null: it resolves)]
    const batch: [unknown, [string, string] | null][] = [
      [good('doc-plover'), null],
      [{ __typename: 'Pelican', id: 'doc-plover' }, ['representations[1].__typename', NOT_ENTITY]],
      [{ id: 'doc-plover' }, ['representations[2].__typename', 'is required (one of: Document)']],
      [good(42), null],
      [{ __typename: 'Document' }, ['representations[4].id', 'is required']],
      [good(true), ['representations[5].id', NOT_ID]],
      [good({ id: 'doc-plover' }), ['representations[6].id', NOT_ID]],
      [good('doc-\u0000plover'), ['representations[7].id', 'must not contain NUL characters']],
      [good(4.5), ['representations[8].id', NOT_ID]],
      // An object type of the schema that is not an entity.
      [{ __typename: 'Query', id: 'doc-plover' }, ['representations[9].__typename', NOT_ENTITY]],
      [
        'doc-plover',
        [
          'representations[10]',
          "must be an object with __typename (one of: Document) and the type's key fields",
        ],
      ],
      [good('doc-stilt'), null],
      // An id the owner may have but ingest refuses (empty, blank, too long) is a Document whose aiSummary is
      // NOT_FOUND, not a bad representation: entity-lists-router.test.ts.
    ];

    const response = await client.request<{ _entities: (Entity | null)[] }>(ENTITIES, {
      r: batch.map(([representation]) => representation),
    });

    expect(response.status).toBe(200);
    const entities = response.body.data?._entities;
    expect(entities).toHaveLength(batch.length);
    const resolved = new Map<number, string>([
      [0, 'doc-plover'],
      [3, '42'],
      [11, 'doc-stilt'],
    ]);
    for (const [index, id] of resolved) {
      const entity = entities?.[index];
      expect(entity).toMatchObject({ __typename: 'Document', id });
      // The summary is of the document named, so `42` read document "42".
      const summary = member(entity?.aiSummary, 'DegradedSummary');
      expect(summary.text.toLowerCase()).toContain(CODENAMES.get(id));
    }

    const refused = batch.flatMap(([, refusal], index) => (refusal ? [{ index, refusal }] : []));
    for (const { index } of refused) expect(entities?.[index]).toBeNull();
    // One error per bad representation, at its index, naming only what the caller sent (no `input.documentId`).
    const errors = [...(response.body.errors ?? [])].sort(byIndex);
    expect(errors).toEqual(
      refused.map(({ index, refusal: [field, reason] }) => ({
        message: `${field}: ${reason}`,
        path: ['_entities', index],
        locations: [{ line: 2, column: 3 }],
        extensions: { code: 'BAD_USER_INPUT', field },
      })),
    );

    await new Promise((resolve) => setImmediate(resolve));
    const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= ERROR_LEVEL)).toEqual([]);
  });

  it.each([9, 1001])(
    'aiSummary(maxWords: %i) out of bounds is BAD_USER_INPUT naming its own argument `maxWords` (it has no `input`)',
    async (maxWords) => {
      const client = harness.as(`entities-max-words-${process.pid}`);
      const response = await client.request<{ _entities: (Entity | null)[] }>(
        `query($r: [_Any!]!, $w: Int) { _entities(representations: $r) { ... on Document { aiSummary(maxWords: $w) { __typename } } } }`,
        { r: [{ __typename: 'Document', id: 'd1' }], w: maxWords },
      );

      expect(response.body.data?._entities).toEqual([null]);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]).toMatchObject({
        message: 'maxWords: must be between 10 and 1000',
        path: ['_entities', 0, 'aiSummary'],
      });
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'maxWords' });
    },
  );
});

function byIndex(a: { path?: unknown[] }, b: { path?: unknown[] }): number {
  return Number(a.path?.[1]) - Number(b.path?.[1]);
}
