// Ingest and delete: chunk the document (bounded, overlapping), embed its chunks through the gateway (batched),
// and replace the document, its chunks and their vectors atomically. Embeddings failing never fails the
// ingest: the document is stored not embedded, searchable by keywords at once, and the embedding sweep embeds
// it once the provider is back (the state is in the store, so a restart loses nothing). Vectors the store
// cannot keep (a zero or oversized vector from the provider) count as embeddings failing. Every chunk is screened
// for instructions aimed at a model (the retrieval rail, issue 10): the verdicts are stored with the chunks,
// in the same transaction, and the flagged chunks are reported to the caller. The screen runs in slices, each
// in its own turn of the event loop. The same document again (title, body and chunks as stored) is no new
// version: nothing is screened, embedded or written that the stored one already has.
import type { ChunkFlagKind } from '../guardrails/injection/chunk-flag-kind';
import { countRails } from '../guardrails/rail-outcome';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { SCREEN_VERSION, screenChunksInTurns } from '../guardrails/retrieval/chunk-verdict';
import { chunkTextInSlices } from '../retrieval/chunking';
import type { TextChunk } from '../retrieval/chunking';
import { chunkIdOf, unusableEmbedding } from '../retrieval/store/document-store';
import type {
  ChunkScreening,
  EmbeddingBatch,
  PutResult,
  UnchangedDocument,
} from '../retrieval/store/document-store';
import { stage } from '../observability/stage';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { inItsOwnTurn } from './extractive/own-turn';
import { embeddingSpaceOf } from './hybrid-retrieval';
import { documentIdSchema, ingestInputSchema, parseInput } from './inputs';
import { recordCost } from './meter-result';
import { spendCapsOf } from '../gateway/spend-budget';

/** A chunk the injection screen flagged at ingest. */
export interface FlaggedChunk {
  chunkId: string;
  kind: ChunkFlagKind;
  score: number;
}

export interface IngestOutcome {
  documentId: string;
  chunks: number;
  embedded: boolean;
  /** The chunks flagged by the injection screen, in chunk order; empty when none was. */
  flagged: FlaggedChunk[];
  /**
   * The document was stored already, the same (title, body and chunks): no new version was written, and its
   * vectors, verdicts and stored summary stand (embedded and flagged are as stored).
   */
  unchanged: boolean;
}

function flaggedChunks(documentId: string, chunks: readonly TextChunk[], screening: ChunkScreening) {
  return chunks.flatMap((chunk, i): FlaggedChunk[] => {
    const flag = screening.flags[i];
    return flag ? [{ chunkId: chunkIdOf(documentId, chunk.index), kind: flag.kind, score: flag.score }] : [];
  });
}

/**
 * The rail's outcome, counted once per document (as the other rails count once per request): `flagged` when
 * any of its chunks is. The log line says how many chunks and which categories, never their text.
 */
const screenOutcome = (flagged: readonly FlaggedChunk[]): RailOutcome => ({
  rail: 'ingest_screen',
  outcome: flagged.length > 0 ? 'flagged' : 'pass',
});

/** The chunks' vectors, or null (and why, for the log) when they cannot be made now. */
async function embedChunks(
  deps: FeatureDeps,
  call: FeatureCall,
  chunks: readonly TextChunk[],
): Promise<{ batch: EmbeddingBatch | null; reason: string | null }> {
  if (chunks.length === 0) return { batch: null, reason: null };
  if (!deps.documents.semantic.available) return { batch: null, reason: 'store has no vectors' };
  const outcome = await stage(deps.metrics, 'ingest.embed', () =>
    deps.gateway.embed({
      tenantId: call.tenant.tenantId,
      requestId: call.requestId,
      purpose: 'document',
      texts: chunks.map((chunk) => chunk.text),
      deadline: deps.gateway.deadlineFor('embed'),
      allowedProviders: call.tenant.policy.allowedProviders,
      redactPii: call.tenant.policy.guardrails.redactBeforeProvider,
      spendCaps: spendCapsOf(call.tenant.policy.limits),
    }),
  );
  // Ingest returns no AIMeta: its embeddings' cost is the ledger's `ingest` line, not a request; a failure that
  // the provider had already billed (batches answered before one failed) is recorded as well.
  await recordCost(deps, call, 'ingest', outcome.costNanos ?? 0);
  if (outcome.kind === 'failed') return { batch: null, reason: outcome.reason };
  const batch = { model: embeddingSpaceOf(outcome), vectors: outcome.vectors };
  // Paid for, but the store would refuse them (and the whole ingest with them): stored without vectors.
  const unusable = unusableEmbedding(batch, chunks.length);
  if (unusable !== null) return { batch: null, reason: `unusable embeddings: ${unusable}` };
  return { batch, reason: null };
}

/** The stored verdicts as a screening, when the current rules made every one of them; null otherwise. */
function currentScreening(kept: UnchangedDocument | null): ChunkScreening | null {
  if (!kept?.verdicts.every((verdict) => verdict.screenVersion === SCREEN_VERSION)) return null;
  return { version: SCREEN_VERSION, flags: kept.verdicts.map((verdict) => verdict.flag) };
}

export function createIngestFeature(deps: FeatureDeps) {
  return {
    async ingest(call: FeatureCall, rawInput: unknown): Promise<IngestOutcome> {
      const input = parseInput(ingestInputSchema, rawInput);
      const tenantId = call.tenant.tenantId;
      // In slices, like the screening below: cutting a 1M-character body takes 20-100 ms of the loop.
      const chunks = await chunkTextInSlices(input.body, deps.chunking, inItsOwnTurn);
      // The same document again (title, body and chunks as stored) is not a new version: its verdicts, vectors
      // and stored summary stand, and neither the screen nor the provider is asked again for what it has.
      const kept = await stage(deps.metrics, 'store.find', () =>
        deps.documents.findUnchanged(tenantId, input, chunks),
      );
      const keptScreening = currentScreening(kept);
      // In slices, each in its own turn of the event loop (the extractive floor's queue): ~1 s of screening
      // for a 1M-character document would otherwise hold every other request on the replica that long.
      const screening =
        keptScreening ??
        (await stage(deps.metrics, 'ingest.screen', () =>
          screenChunksInTurns(
            chunks.map((chunk) => chunk.text),
            inItsOwnTurn,
          ),
        ));
      const flagged = flaggedChunks(input.id, chunks, screening);
      const { batch, reason } = kept?.embedded
        ? { batch: null, reason: null }
        : await embedChunks(deps, call, chunks);
      // Kept unchanged with nothing to add: nothing is written (nor the tenant's search cache replaced).
      const stored: PutResult =
        kept && keptScreening && batch === null
          ? { version: kept.version, chunks: chunks.length, unchanged: true }
          : await stage(deps.metrics, 'store.put', () =>
              deps.documents.putDocument(tenantId, input, chunks, batch ?? undefined, screening),
            );
      const embedded = batch !== null || kept?.embedded === true;
      countRails(deps.metrics, [screenOutcome(flagged)]);
      deps.logger.info(
        {
          requestId: call.requestId,
          tenant: tenantId,
          chunks: stored.chunks,
          version: stored.version,
          ...(stored.unchanged ? { unchanged: true } : {}),
          embedded,
          ...(reason ? { notEmbeddedBecause: reason } : {}),
          flagged: flagged.length,
          ...(flagged.length > 0 ? { flagKinds: [...new Set(flagged.map((chunk) => chunk.kind))] } : {}),
        },
        'document ingested',
      );
      return {
        documentId: input.id,
        chunks: stored.chunks,
        embedded,
        flagged,
        unchanged: stored.unchanged === true,
      };
    },

    async delete(call: FeatureCall, id: unknown): Promise<boolean> {
      const documentId = parseInput(documentIdSchema, id, 'id');
      return stage(deps.metrics, 'store.delete', () =>
        deps.documents.deleteDocument(call.tenant.tenantId, documentId),
      );
    },
  };
}

export type IngestFeature = ReturnType<typeof createIngestFeature>;
