// Writing chunk embeddings: validated into pgvector's text form (before the transaction, a slice per turn of
// the event loop), aligned with the chunks by ordinal, and the document marked embedded in their model, all in
// the caller's tenant transaction.
import { mapInSlices, nextTurnThen } from '../../runtime/map-in-slices';
import type { InItsOwnTurn } from '../../runtime/map-in-slices';
import type { TextChunk } from '../chunking';
import type { SqlExecutor } from './sql';

/** The vectors of a document's chunks, in chunk order, and the model that made them. */
export interface EmbeddingBatch {
  model: string;
  vectors: readonly (readonly number[])[];
}

/** A chunk as the sweep read it to embed: its ordinal and the text its vector was made from. */
export interface EmbeddedChunk {
  ordinal: number;
  content: string;
}

/** pgvector's limit on a stored vector's dimensions. */
const MAX_DIMENSIONS = 16_000;

/**
 * Embeddings the store cannot keep (a zero vector, too many dimensions, not one per chunk...): a RangeError, so
 * callers that validate input as such still see one. The message names the problem, never any text.
 */
export class UnusableEmbeddingError extends RangeError {
  override name = 'UnusableEmbeddingError';
}

function checkVector(vector: readonly number[], dims: number): void {
  if (vector.length !== dims)
    throw new UnusableEmbeddingError(`an embedding has ${vector.length} dimensions, expected ${dims}`);
  if (dims < 1 || dims > MAX_DIMENSIONS)
    throw new UnusableEmbeddingError(`an embedding needs 1 to ${MAX_DIMENSIONS} dimensions, got ${dims}`);
  let squares = 0;
  for (const value of vector) {
    if (!Number.isFinite(value))
      throw new UnusableEmbeddingError('an embedding holds a value that is not a finite number');
    squares += value * value;
  }
  if (squares === 0)
    throw new UnusableEmbeddingError('an embedding is the zero vector, which has no cosine distance');
}

/**
 * One vector in pgvector's text form, after the checks pgvector would fail on less clearly (dimensions,
 * non-finite values) and one it would not: a zero vector has no cosine distance to anything.
 */
export function vectorLiteral(vector: readonly number[], dims = vector.length): string {
  checkVector(vector, dims);
  return `[${vector.join(',')}]`;
}

function checkModel(model: string): void {
  if (model.trim() === '') throw new UnusableEmbeddingError('an embedding model must be named');
}

/** Checks a batch before anything is written: a named model, one vector per chunk, all of one dimension. */
export function checkBatch(batch: EmbeddingBatch, chunks: number): void {
  checkModel(batch.model);
  if (batch.vectors.length !== chunks)
    throw new UnusableEmbeddingError(`${batch.vectors.length} embeddings for ${chunks} chunks`);
}

/**
 * Why the store would refuse the batch for a document of `chunks` chunks (every check writeEmbeddings makes),
 * or null when it can keep it. A provider's zero or oversized vector is answered so: the caller stores the
 * document without vectors instead of failing.
 */
export function unusableEmbedding(batch: EmbeddingBatch, chunks: number): string | null {
  try {
    checkBatch(batch, chunks);
    const dims = batch.vectors[0]?.length ?? 0;
    for (const vector of batch.vectors) checkVector(vector, dims);
    return null;
  } catch (error) {
    if (error instanceof UnusableEmbeddingError) return error.message;
    throw error;
  }
}

/** A batch as the store writes it: its model, its vectors' dimensions and each vector in pgvector's text form. */
export interface RenderedEmbeddings {
  model: string;
  dims: number;
  literals: readonly string[];
}

/**
 * How long one slice of renderEmbeddings renders before it gives the event loop back. Writing a 1,536-dimension
 * vector as text takes 0.2-0.6 ms here, so the ~2,000 vectors of a 1M-character document took about a second in
 * one go, inside the store's transaction; now that is done before the transaction opens, a slice at a time.
 */
export const RENDER_SLICE_MS = 10;

/**
 * `batch` checked (a named model, one vector per chunk of `chunks`, all of one usable dimension) and rendered in
 * pgvector's text form, RENDER_SLICE_MS of work at a time: the first slice at once, each further one in its own
 * turn (`inTurn`). Throws UnusableEmbeddingError, naming the problem, before anything is written.
 */
export async function renderEmbeddings(
  batch: EmbeddingBatch,
  chunks: number,
  inTurn: InItsOwnTurn = nextTurnThen,
  sliceMs: number = RENDER_SLICE_MS,
): Promise<RenderedEmbeddings> {
  checkBatch(batch, chunks);
  const dims = batch.vectors[0]?.length ?? 0;
  const literals = await mapInSlices(batch.vectors, (vector) => vectorLiteral(vector, dims), inTurn, sliceMs);
  return { model: batch.model, dims, literals };
}

/** Replaces the document's chunk vectors (ordinals[i] gets literals[i]) and marks it embedded in the model. */
export async function writeEmbeddings(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  ordinals: readonly number[],
  rendered: RenderedEmbeddings,
): Promise<void> {
  const { model, dims, literals } = rendered;
  if (literals.length !== ordinals.length)
    throw new UnusableEmbeddingError(`${literals.length} embeddings for ${ordinals.length} chunks`);
  await tx.query(`DELETE FROM ${schema}.chunk_embeddings WHERE tenant_id = $1 AND document_id = $2`, [
    tenantId,
    documentId,
  ]);
  if (literals.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.chunk_embeddings (tenant_id, document_id, ordinal, model, dims, embedding)
         SELECT $1, $2, v.ordinal, $3, $4, v.embedding::vector
         FROM unnest($5::int[], $6::text[]) AS v(ordinal, embedding)`,
      [tenantId, documentId, model, dims, [...ordinals], literals],
    );
  }
  await setEmbeddingModel(tx, schema, tenantId, documentId, model);
}

/** The model all the document's chunks are embedded in, or null: not embedded (a re-ingest's new chunks). */
export async function setEmbeddingModel(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  model: string | null,
): Promise<void> {
  // Only a real change updates the row, so the backlog counts (a trigger) move only when they should.
  await tx.query(
    `UPDATE ${schema}.documents SET embedding_model = $3
       WHERE tenant_id = $1 AND id = $2 AND embedding_model IS DISTINCT FROM $3`,
    [tenantId, documentId, model],
  );
}

/** Whether the document's chunks now are exactly those read to embed: same ordinals, same texts. */
function sameChunks(now: readonly EmbeddedChunk[], read: readonly EmbeddedChunk[]): boolean {
  return (
    now.length === read.length &&
    now.every((chunk, i) => chunk.ordinal === read[i]?.ordinal && chunk.content === read[i]?.content)
  );
}

/**
 * Locks the document's row (so a concurrent re-ingest or re-create waits for this transaction, or this one
 * sees it) and gives its chunks' ordinals when it is still at `version` and, given `madeFrom` (the chunks as
 * chunksToEmbed read them), its chunks are still those texts; null when a re-ingest or delete came in
 * between. The version alone cannot tell a document deleted and created again under the same id: it starts
 * again at 1.
 */
async function lockUnchanged(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  version: number,
  madeFrom: readonly EmbeddedChunk[] | undefined,
): Promise<number[] | null> {
  const current = await tx.query<{ version: number }>(
    `SELECT version FROM ${schema}.documents WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, documentId],
  );
  if (current.rows[0]?.version !== version) return null;
  const chunks = await tx.query<EmbeddedChunk>(
    `SELECT ordinal, content FROM ${schema}.chunks WHERE tenant_id = $1 AND document_id = $2 ORDER BY ordinal`,
    [tenantId, documentId],
  );
  if (madeFrom && !sameChunks(chunks.rows, madeFrom)) return null;
  return chunks.rows.map((row) => row.ordinal);
}

/**
 * The sweep's write: the vectors of the document's chunks as they were at `version`, written only if the
 * document is still at that version (a re-ingest in between wins; its own chunks wait for the next sweep)
 * and, given `madeFrom` (the chunks the vectors were made from), only if its chunks are still those texts.
 */
export async function putEmbeddingsAt(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  version: number,
  rendered: RenderedEmbeddings,
  madeFrom?: readonly EmbeddedChunk[],
): Promise<boolean> {
  const ordinals = await lockUnchanged(tx, schema, tenantId, documentId, version, madeFrom);
  if (!ordinals) return false;
  await writeEmbeddings(tx, schema, tenantId, documentId, ordinals, rendered);
  return true;
}

/**
 * The sweep's record of an attempt that stored nothing (migration 016), on the document as it was tried
 * (`version`, `madeFrom`) only: a re-ingest in between brought text nobody tried. With `unusableIn`, the
 * model whose vectors for this text the store cannot keep. embedding_model is not touched, so the backlog
 * counts do not move.
 */
export async function noteAttemptAt(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  version: number,
  madeFrom: readonly EmbeddedChunk[],
  unusableIn: string | undefined,
): Promise<boolean> {
  if (!(await lockUnchanged(tx, schema, tenantId, documentId, version, madeFrom))) return false;
  await tx.query(
    `UPDATE ${schema}.documents
       SET embedding_attempted_at = now(), embedding_failed_model = coalesce($3, embedding_failed_model)
       WHERE tenant_id = $1 AND id = $2`,
    [tenantId, documentId, unusableIn ?? null],
  );
  return true;
}

/**
 * After a document's chunks were replaced (its old vectors went with the old chunks, by cascade): the new
 * chunks' vectors when the ingest brought them, or the document marked not embedded, for the sweep.
 */
export async function embedReplacedChunks(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  chunks: readonly TextChunk[],
  embedding: RenderedEmbeddings | undefined,
): Promise<void> {
  if (embedding) {
    const ordinals = chunks.map((chunk) => chunk.index);
    await writeEmbeddings(tx, schema, tenantId, documentId, ordinals, embedding);
  } else {
    await setEmbeddingModel(tx, schema, tenantId, documentId, null);
  }
}

/** The document's version and its chunks in order, read together: what the sweep embeds, and at which version. */
export async function chunksToEmbed(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
): Promise<{ version: number; chunks: EmbeddedChunk[] } | null> {
  const document = await tx.query<{ version: number }>(
    `SELECT version FROM ${schema}.documents WHERE tenant_id = $1 AND id = $2`,
    [tenantId, documentId],
  );
  const version = document.rows[0]?.version;
  if (version === undefined) return null;
  const chunks = await tx.query<EmbeddedChunk>(
    `SELECT ordinal, content FROM ${schema}.chunks WHERE tenant_id = $1 AND document_id = $2 ORDER BY ordinal`,
    [tenantId, documentId],
  );
  return { version, chunks: chunks.rows };
}
