// Tenant isolation as properties over random worlds (test/support/tenant-worlds.ts): random tenant ids, documents
// from a word pool under ids the tenants share, near-duplicates across tenants, and queries made of another
// tenant's text. Whatever the world, search, ask, askStream, summarize and Document.aiSummary show a tenant only
// its own documents, in its own version, and no prompt the model receives holds another tenant's text. On PGlite
// retrieval is hybrid (BM25 fused with embeddings); on PostgreSQL without pgvector it is lexical only.
import fc from 'fast-check';
import { unreachable } from '../../subgraph/errors/unreachable';
import { SENTENCE_GAP } from '../../subgraph/retrieval/snippet';
import { startHarness } from '../support/harness';
import type { Harness, TenantClient } from '../support/harness';
import { SUMMARIZE_RESULT } from '../support/operations';
import { echoResponder } from '../support/prompt-echo';
import { deltaText, member } from '../support/results';
import type { AskResult, AskStreamEvent, Citation, SearchHit, SummarizeResult } from '../support/results';
import { requirePostgres } from '../support/services';
import { buildWorld, foreignMarkers, hasMarker, worldSpecs } from '../support/tenant-worlds';
import type { Tenant, World } from '../support/tenant-worlds';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const CHAT = '/v1/chat/completions';
/**
 * Runs per property: each run ingests a new world, so this is what bounds the suite's time. Twelve worlds per
 * property and store (72 in all, each with several tenants, shared ids, near-duplicates and foreign-text
 * probes) still vary every dimension a world has; fast-check's seed changes each run, so CI covers new ones.
 */
const NUM_RUNS = 12;
const PROPERTY_TIMEOUT_MS = 240_000;

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Document { id aiSummary { ${SUMMARIZE_RESULT} } } }
}`;

const STORES = [
  // PGlite has pgvector: search fuses BM25 and embedding similarity.
  { store: 'pglite', searchResult: 'SearchResults', reason: undefined },
  // The machine's PostgreSQL has no pgvector: lexical only, and each result says why.
  { store: 'postgres', searchResult: 'DegradedSearchResults', reason: 'SEMANTIC_UNAVAILABLE' },
] as const;

/** Fails naming what carried which foreign markers, so a counterexample reads as the leak it is. */
function expectNoForeignText(text: string, caller: Tenant, what: string): void {
  expect({ what, foreignMarkers: foreignMarkers(text, caller) }).toEqual({ what, foreignMarkers: [] });
}

/** The document a result names is one the caller ingested, and the title shown is the caller's version of it. */
function expectOwnDocument(reference: { documentId: string; title: string }, caller: Tenant, what: string) {
  const own = caller.documents.get(reference.documentId);
  expect({ what, documentId: reference.documentId, owned: own !== undefined }).toEqual({
    what,
    documentId: reference.documentId,
    owned: true,
  });
  expect(reference.title).toBe(own?.title);
  return own;
}

function expectOwnHits(hits: readonly SearchHit[], caller: Tenant): void {
  for (const hit of hits) {
    const own = expectOwnDocument(hit, caller, 'search hit');
    expectNoForeignText(hit.snippet, caller, 'search snippet');
    // The snippet is whole sentences of the caller's own body, not of a near-duplicate elsewhere.
    for (const part of hit.snippet.split(SENTENCE_GAP)) expect(own?.body).toContain(part.trim());
  }
}

function expectOwnCitations(citations: readonly Citation[], caller: Tenant, what: string): void {
  for (const citation of citations) expectOwnDocument(citation, caller, what);
}

function expectOwnAnswer(result: AskResult, caller: Tenant): void {
  switch (result.__typename) {
    case 'Answer':
      expectOwnCitations(result.citations, caller, 'citation');
      expectNoForeignText(result.text, caller, 'answer');
      return;
    case 'DegradedAnswer':
      expectOwnCitations(result.passages, caller, 'passage');
      return;
    case 'AIUnavailable':
      expect(result.reason).toBe('INSUFFICIENT_CONTEXT');
      return;
    default:
      return unreachable(result);
  }
}

/** A summary of a document the caller holds is of its own version; of any other id, NOT_FOUND and nothing else. */
function expectOwnSummary(result: SummarizeResult, caller: Tenant, documentId: string, what: string): void {
  if (!caller.documents.has(documentId)) {
    expect({ what, documentId, result }).toMatchObject({
      what,
      documentId,
      result: { __typename: 'AIUnavailable', reason: 'NOT_FOUND' },
    });
    return;
  }
  const summary = member(result, 'Summary');
  expectNoForeignText(summary.text, caller, what);
  // The echoing model repeats the text it was given: the caller's own document, marker and all.
  expect(hasMarker(summary.text, caller)).toBe(true);
}

describe.each(STORES)('tenant isolation properties on $store', ({ store, searchResult, reason }) => {
  const echo = echoResponder();
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ store, providers: ['openai'], responder: echo.responder });
  }, 60_000);

  afterAll(() => harness?.stop());

  /** Every tenant of the world ingests its documents; the tenants at once, as separate clients would. */
  const ingestWorld = (world: World): Promise<unknown> =>
    Promise.all(
      world.tenants.map(async (tenant) => {
        const client = harness.as(tenant.id);
        for (const document of tenant.documents.values()) await client.ingest(document);
      }),
    );

  /**
   * `call`'s value and the chat prompts the fake provider received while it ran, each without `ownWords`
   * (the caller's question, which may quote another tenant's text and still leaks nothing).
   */
  const withPrompts = async <T>(call: () => Promise<T>, ownWords?: string) => {
    const requests = harness.providers.openai.requests;
    const before = requests.length;
    const value = await call();
    const prompts = requests
      .slice(before)
      .filter((request) => request.path === CHAT)
      .map((request) => JSON.stringify(request.body))
      .map((prompt) => (ownWords ? prompt.split(ownWords).join(' ') : prompt));
    return { value, prompts };
  };

  const search = async (client: TenantClient, query: string) => {
    const result = await client.search({ query, limit: 10 });
    expect(result).toMatchObject({ __typename: searchResult, ...(reason ? { reason } : {}) });
    return result.__typename === 'AIUnavailable' ? [] : result.hits;
  };

  it(
    "search: every hit is the caller's own document, in the caller's version",
    async () => {
      await fc.assert(
        fc.asyncProperty(worldSpecs, async (spec) => {
          const world = buildWorld(spec);
          await ingestWorld(world);

          const { caller, query, documentId } = world.ownProbe;
          const ownHits = await search(harness.as(caller.id), query);
          expect(ownHits.map((hit) => hit.documentId)).toContain(documentId);
          expectOwnHits(ownHits, caller);

          for (const probe of world.probes) {
            expectOwnHits(await search(harness.as(probe.caller.id), probe.query), probe.caller);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "ask and askStream: every citation is the caller's, and no prompt holds another tenant's text",
    async () => {
      await fc.assert(
        fc.asyncProperty(worldSpecs, async (spec) => {
          const world = buildWorld(spec);
          await ingestWorld(world);

          const own = world.ownProbe;
          const grounded = await harness.as(own.caller.id).ask(own.query);
          expect(member(grounded, 'Answer').citations.length).toBeGreaterThan(0);
          expectOwnAnswer(grounded, own.caller);

          for (const { caller, query } of world.probes) {
            const client = harness.as(caller.id);
            const asked = await withPrompts(() => client.ask(query), query);
            expectOwnAnswer(asked.value, caller);
            for (const prompt of asked.prompts) expectNoForeignText(prompt, caller, 'ask prompt');
            // An answer not served from the cache came from a prompt, and it held the caller's own passages.
            if (asked.value.__typename === 'Answer' && !asked.value.meta.cached) {
              expect(asked.prompts.some((prompt) => hasMarker(prompt, caller))).toBe(true);
            }

            const streamed = await withPrompts(() => client.askStream(query), query);
            const events: AskStreamEvent[] = streamed.value;
            const completed = events.at(-1);
            expect(completed?.__typename).toBe('AskCompleted');
            if (completed?.__typename === 'AskCompleted') expectOwnAnswer(completed.result, caller);
            expectNoForeignText(deltaText(events), caller, 'askStream deltas');
            for (const prompt of streamed.prompts) expectNoForeignText(prompt, caller, 'askStream prompt');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "summarize and Document.aiSummary: another tenant's document id is NOT_FOUND, and no prompt holds its text",
    async () => {
      await fc.assert(
        fc.asyncProperty(worldSpecs, async (spec) => {
          const world = buildWorld(spec);
          await ingestWorld(world);

          for (const caller of world.tenants) {
            const client = harness.as(caller.id);
            for (const documentId of world.documentIds) {
              const { value, prompts } = await withPrompts(() => client.summarize({ documentId }));
              expectOwnSummary(value, caller, documentId, `summarize ${documentId}`);
              if (!caller.documents.has(documentId)) expect(prompts).toEqual([]);
              for (const prompt of prompts) expectNoForeignText(prompt, caller, 'summarize prompt');
            }

            const entities = await withPrompts(() =>
              client.data<{ _entities: { id: string; aiSummary: SummarizeResult }[] }>(ENTITIES, {
                r: world.documentIds.map((id) => ({ __typename: 'Document', id })),
              }),
            );
            expect(entities.value._entities.map((entity) => entity.id)).toEqual(world.documentIds);
            for (const entity of entities.value._entities) {
              expectOwnSummary(entity.aiSummary, caller, entity.id, `aiSummary ${entity.id}`);
            }
            for (const prompt of entities.prompts) expectNoForeignText(prompt, caller, 'aiSummary prompt');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
