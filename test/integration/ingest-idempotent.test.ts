// Outside review finding 2: ingesting identical content again was not idempotent. A second ingestDocument with
// the same id, title and body bumped the version, paid for the embeddings again and made the stored summary
// (summarize: true) stale, so aiSummary called the model again. Now the same document (title, body, and the
// chunks they make under the current chunking settings) changes nothing: same version, no embedding call, no
// write, its summary still served; two identical ingests at once end with one version. A document stored under
// other chunking settings (CHUNK_MAX_CHARS changed since) is not the same: it is stored anew, as a new version.
import { randomBytes } from 'node:crypto';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { useHarness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { chunksOf, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const CHAT = '/v1/chat/completions';
const BODY =
  'The lighthouse keeper logs the weather at dawn. Supply boats arrive every second Thursday. ' +
  'The lamp was converted to electricity in 1962.';
const SUMMARY = 'Supply boats arrive every second Thursday.';
const MODEL = 'embed-a';
const unit = (axis: number): number[] => [0, 1, 2, 3].map((i) => (i === axis ? 1 : 0));

const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId chunks embedded flagged { chunkId kind } summaryJobId unchanged }
}`;
const AI_SUMMARY = `query Summary($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Document { aiSummary { __typename ... on Summary { text meta { cached } } } }
  }
}`;

interface Ingested {
  ingestDocument: {
    documentId: string;
    chunks: number;
    embedded: boolean;
    flagged: { chunkId: string; kind: string }[];
    summaryJobId: string | null;
    unchanged: boolean;
  };
}
interface Entities {
  _entities: { aiSummary: { __typename: string; text?: string; meta?: { cached: boolean } } }[];
}

describe('Ingesting identical content again is not idempotent', () => {
  describe.each(['pglite', 'postgres'] as const)('the store on %s', (backend) => {
    let handle: TestStore;
    const documents = (): DocumentStore => handle.current.documents;
    const tenant = () => `same-${randomBytes(4).toString('hex')}`;
    const doc = { id: 'd', title: 'Keeper', body: 'first text. second text.' };
    const chunks = chunksOf('first text.', 'second text.');
    const versionOf = async (tenantId: string) => (await documents().chunksOf(tenantId, 'd'))?.version;

    beforeAll(async () => {
      handle = await openTestStore(backend);
    });
    afterAll(() => handle?.dispose());

    it('keeps the version of the same document put again, and says it was unchanged', async () => {
      const t = tenant();
      expect(await documents().findUnchanged(t, doc, chunks)).toBeNull();
      expect(await documents().putDocument(t, doc, chunks)).toEqual({ version: 1, chunks: 2 });
      expect(await documents().findUnchanged(t, doc, chunks)).toEqual({
        version: 1,
        embedded: false,
        verdicts: [
          { flag: null, screenVersion: null },
          { flag: null, screenVersion: null },
        ],
      });
      expect(await documents().putDocument(t, doc, chunks)).toEqual({
        version: 1,
        chunks: 2,
        unchanged: true,
      });
      expect(await versionOf(t)).toBe(1);
      // Another title, another body: a new version, as before.
      expect(await documents().findUnchanged(t, { ...doc, title: 'Other' }, chunks)).toBeNull();
      expect(await documents().putDocument(t, { ...doc, title: 'Other' }, chunks)).toEqual({
        version: 2,
        chunks: 2,
      });
    });

    it('gives back the stored verdicts, and replaces in place those by other rules', async () => {
      const t = tenant();
      const flags = [null, { kind: 'INSTRUCTION_OVERRIDE' as const, score: 0.75 }];
      await documents().putDocument(t, doc, chunks, undefined, { version: 2, flags });
      expect(await documents().findUnchanged(t, doc, chunks)).toMatchObject({
        verdicts: [
          { flag: null, screenVersion: 2 },
          { flag: { kind: 'INSTRUCTION_OVERRIDE', score: 0.75 }, screenVersion: 2 },
        ],
      });
      const newer = { version: 3, flags: [{ kind: 'MODEL_DIRECTIVE' as const, score: 0.5 }, null] };
      expect(await documents().putDocument(t, doc, chunks, undefined, newer)).toEqual({
        version: 1,
        chunks: 2,
        unchanged: true,
      });
      expect(await documents().findUnchanged(t, doc, chunks)).toMatchObject({
        version: 1,
        verdicts: [
          { flag: { kind: 'MODEL_DIRECTIVE', score: 0.5 }, screenVersion: 3 },
          { flag: null, screenVersion: 3 },
        ],
      });
    });

    it('stores the same text cut into other chunks (chunking settings changed) as a new version', async () => {
      const t = tenant();
      await documents().putDocument(t, doc, chunks);
      const recut = chunksOf('first text. second text.');
      expect(await documents().findUnchanged(t, doc, recut)).toBeNull();
      expect(await documents().putDocument(t, doc, recut)).toEqual({ version: 2, chunks: 1 });
      const stored = await documents().chunksOf(t, 'd');
      expect(stored?.chunks.map((chunk) => chunk.content)).toEqual(['first text. second text.']);
    });

    it('ends two identical puts at once with one version, for a new document and for a changed one', async () => {
      const t = tenant();
      const twice = () =>
        Promise.all([documents().putDocument(t, doc, chunks), documents().putDocument(t, doc, chunks)]);
      const created = await twice();
      expect(created.map((put) => put.version)).toEqual([1, 1]);
      expect(created.filter((put) => put.unchanged)).toHaveLength(1);
      const changed = { ...doc, body: 'first text. third text.' };
      const putChanged = () => documents().putDocument(t, changed, chunksOf('first text.', 'third text.'));
      const updated = await Promise.all([putChanged(), putChanged()]);
      expect(updated.map((put) => put.version)).toEqual([2, 2]);
      expect(await versionOf(t)).toBe(2);
    });

    if (backend === 'pglite') {
      it('adds the vectors an unchanged document lacks, and keeps those it has', async () => {
        const t = tenant();
        await documents().putDocument(t, doc, chunks);
        const batch = { model: MODEL, vectors: [unit(0), unit(1)] };
        expect(await documents().putDocument(t, doc, chunks, batch)).toEqual({
          version: 1,
          chunks: 2,
          unchanged: true,
        });
        expect(await documents().findUnchanged(t, doc, chunks)).toMatchObject({ version: 1, embedded: true });
        const nearest = () => documents().searchSemantic(t, { model: MODEL, vector: unit(1) }, 1);
        expect((await nearest()).map((hit) => hit.chunkId)).toEqual(['d#1']);
        // Vectors the same document already has are not replaced.
        await documents().putDocument(t, doc, chunks, { model: MODEL, vectors: [unit(1), unit(0)] });
        expect((await nearest()).map((hit) => hit.chunkId)).toEqual(['d#1']);
      });
    }
  });

  describe('ingestDocument', () => {
    const harness = useHarness({
      providers: ['openai'],
      store: 'pglite',
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      // No completion cache: a summary computed on the read path calls the provider.
      env: { ...FAST_JOBS, CACHE_TTL_SUMMARIZE_SECONDS: '0', EMBED_SWEEP_INTERVAL_MS: '0' },
    });
    const client = () => harness.as(`same-${randomBytes(4).toString('hex')}`);
    const versionOf = async (tenantId: string, id: string) =>
      (await harness.app.store.documents.chunksOf(tenantId, id))?.version;

    it('changes nothing for the same content: same version, no embedding call, the stored summary served', async () => {
      const tenant = client();
      const input = { id: 'harbour', title: 'Harbour', body: BODY };
      const first = (await tenant.data<Ingested>(INGEST, { input: { ...input, summarize: true } }))
        .ingestDocument;
      expect(first.embedded).toBe(true);
      expect(first.unchanged).toBe(false);
      const job = first.summaryJobId ?? '';
      await eventually(
        async () => {
          const { aiJob } = await tenant.data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id: job });
          return aiJob?.status === 'COMPLETED' ? aiJob : undefined;
        },
        20_000,
        'the summary job completed',
      );

      const embeddings = harness.providers.requestCount(EMBEDDINGS);
      const again = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      expect(again).toEqual({ ...first, summaryJobId: null, unchanged: true });
      expect(harness.providers.requestCount(EMBEDDINGS)).toBe(embeddings);
      expect(await versionOf(tenant.tenant, 'harbour')).toBe(1);

      const chats = harness.providers.requestCount(CHAT);
      const { _entities } = await tenant.data<Entities>(AI_SUMMARY, {
        r: [{ __typename: 'Document', id: 'harbour' }],
      });
      expect(_entities[0]?.aiSummary).toEqual({
        __typename: 'Summary',
        text: SUMMARY,
        meta: { cached: true },
      });
      expect(harness.providers.requestCount(CHAT)).toBe(chats);
    });

    it('ends two identical ingests at once with one version', async () => {
      const tenant = client();
      const input = { id: 'twice', title: 'Twice', body: BODY };
      const both = await Promise.all([tenant.ingest(input), tenant.ingest(input)]);
      expect(both.map((result) => result.chunks)).toEqual([1, 1]);
      expect(await versionOf(tenant.tenant, 'twice')).toBe(1);
    });
  });
});
