// Lexical search's passages on both stores, with the chunker's real chunks (1,200 characters, 200 of overlap):
// a document's title counts once, not on every chunk of it; and a snippet trims a piece an overlapping chunk
// cut only at a real overlap edge, never the document's own first or last sentence.
import { chunkText } from '../../subgraph/retrieval/chunking';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { openTestStore } from '../support/stores';
import type { Backend, TestStore } from '../support/stores';
import { requirePostgres } from '../support/services';

requirePostgres();

const CHUNKING = { maxChars: 1_200, overlapChars: 200 };

describe.each(['pglite', 'postgres'] as Backend[])('lexical search passages on %s', (backend) => {
  let handle: TestStore;
  const documents = (): DocumentStore => handle.current.documents;
  const put = (tenantId: string, doc: { id: string; title: string; body: string }) =>
    documents().putDocument(tenantId, doc, chunkText(doc.body, CHUNKING));

  beforeAll(async () => {
    handle = await openTestStore(backend, { persistent: true });
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  // Finding: a title match was added to every chunk of its document, and length normalisation then put the
  // document's shortest chunk (without the query's words) first, its other chunks filling the page.
  it('a title match counts once per document: the handbook does not fill the page, and the first hit shows "parking"', async () => {
    const tenant = `title-once-${backend}`;
    const body = Array.from(
      { length: 150 },
      (_, i) =>
        `Rule ${i + 1}: staff keep desk ${i + 1} tidy and file form ${i + 1} with the office manager.`,
    ).join(' ');
    expect(body).not.toMatch(/parking/i);
    const handbook = await put(tenant, { id: 'handbook', title: 'Employee handbook: parking garage', body });
    expect(handbook.chunks).toBeGreaterThan(5);
    for (let level = 1; level <= 6; level++) {
      await put(tenant, {
        id: `memo-${level}`,
        title: `Memo ${level}`,
        body: `The parking garage on level ${level} is closed on Sunday for cleaning. Use the street spaces instead.`,
      });
    }

    const hits = await documents().searchLexical(tenant, 'parking garage', 10);
    expect(hits.filter((hit) => hit.documentId === 'handbook').length).toBeLessThanOrEqual(1);
    expect(hits[0]?.snippet).toMatch(/parking/i);
    expect(hits.filter((hit) => hit.documentId.startsWith('memo-'))).toHaveLength(6);
  });

  it('a title match counts on the chunk whose text matches the query best, else on the first chunk', async () => {
    const tenant = `title-chunk-${backend}`;
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => `Item ${i + 1} of the list is a plain desk lamp.`).join(' ');
    const { chunks } = await put(tenant, {
      id: 'guide',
      title: 'Lighthouse guide',
      body: `${filler(60)} The keeper lights the lighthouse lamp at dusk. ${filler(30)}`,
    });
    expect(chunks).toBeGreaterThan(2);
    const [best] = await documents().searchLexical(tenant, 'lighthouse', 10);
    expect(best?.snippet).toContain('The keeper lights the lighthouse lamp at dusk.');
    // "guide" is in the title only: the first chunk carries it.
    expect((await documents().searchLexical(tenant, 'guide', 10)).map((hit) => hit.chunkId)).toEqual([
      'guide#0',
    ]);
  });

  // Finding: results were labelled hybrid when the tenant had no vectors; search now looks first.
  it('hasVectors: whether any of the tenant’s own chunks has a vector, in any model', async () => {
    const tenant = `vectors-${backend}`;
    const { chunks } = await put(tenant, { id: 'plain', title: 'Plain', body: 'Nothing embedded here yet.' });
    expect(await documents().hasVectors(tenant)).toBe(false);
    if (!documents().semantic.available) return;
    const stored = await documents().chunksOf(tenant, 'plain');
    if (!stored) throw new Error('not stored');
    const vectors = Array.from({ length: chunks }, () => [0, 1, 0]);
    expect(
      await documents().putEmbeddings(tenant, 'plain', stored.version, 'any:model', vectors, stored.chunks),
    ).toBe(true);
    expect(await documents().hasVectors(tenant)).toBe(true);
    expect(await documents().hasVectors(`${tenant}-other`)).toBe(false);
    // Seen by a store that did not write them (another replica's) too.
    expect(await (await handle.reopen()).documents.hasVectors(tenant)).toBe(true);
  });

  // Finding: the snippet trimmed a lowercase first sentence and an unterminated last one as overlap pieces
  // even in the document's first and last chunk.
  it('the snippet keeps the document’s own first and last sentences, however they look', async () => {
    const tenant = `edges-${backend}`;
    const aside = Array.from(
      { length: 4 },
      (_, i) => `Warehouse shift ${i + 1} starts at seven and ends at three in the afternoon.`,
    ).join(' ');
    await put(tenant, {
      id: 'shipping',
      title: 'Shipping',
      body: `eBay orders ship within two days. ${aside} Orders over fifty dollars ship free to any address`,
    });
    const [hit] = await documents().searchLexical(tenant, 'orders', 5);
    expect(hit?.chunkId).toBe('shipping#0');
    expect(hit?.content.length).toBeGreaterThan(240);
    expect(hit?.snippet).toContain('eBay orders ship within two days.');
    expect(hit?.snippet).toContain('Orders over fifty dollars ship free to any address');
  });
});
