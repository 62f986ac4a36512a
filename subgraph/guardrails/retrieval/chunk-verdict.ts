// The retrieval rail's verdict on one chunk: the injection screen run in its document context, reduced to
// what the store keeps (the strongest category and the combined score) or null when the chunk passes. Ingest
// screens every chunk and stores the verdict with it; at ask time verdictOf trusts that stored verdict only
// when the current rules made it, and screens the text again otherwise (chunks stored before screening
// existed, or under older rules).
import type { ChunkFlag, ChunkScreening, RetrievedChunk } from '../../retrieval/store/document-store';
import { screen } from '../injection/screen';
import type { ScreenFinding } from '../injection/screen';
import { SCREEN_VERSION } from '../injection/screen-version';
import { mapInSlices } from '../../runtime/map-in-slices';
import type { InItsOwnTurn } from '../../runtime/map-in-slices';

export { SCREEN_VERSION };
export type { ChunkFlag, InItsOwnTurn };

/** The chunk's flag, or null when the screen passes it. */
export function screenChunk(content: string): ChunkFlag | null {
  const result = screen(content, { context: 'document' });
  // The kind shown is the strongest finding's: the one that did most to flag the chunk.
  const strongest = result.findings.reduce<ScreenFinding | undefined>(
    (best, finding) => (best === undefined || finding.score > best.score ? finding : best),
    undefined,
  );
  if (!result.flagged || strongest === undefined) return null;
  return { kind: strongest.kind, score: result.score };
}

/** The verdicts of a document's chunks, in order, as putDocument stores them. */
export function screenChunks(contents: readonly string[]): ChunkScreening {
  return { version: SCREEN_VERSION, flags: contents.map(screenChunk) };
}

/**
 * How long one slice of screenChunksInTurns screens before it gives the event loop back: about 1 ms a chunk of
 * CHUNK_MAX_CHARS' default, so a slice is a few chunks. A slice always screens at least one chunk.
 */
export const SCREEN_SLICE_MS = 10;

/**
 * screenChunks' verdicts, made SCREEN_SLICE_MS of work at a time: the first slice at once, each further one in
 * its own turn (`inTurn`), so a 1M-character document (~1,000 chunks, about a second of screening) holds the
 * event loop for one slice at a time rather than for the whole second, and other requests are served between.
 */
export async function screenChunksInTurns(
  contents: readonly string[],
  inTurn: InItsOwnTurn,
  sliceMs: number = SCREEN_SLICE_MS,
): Promise<ChunkScreening> {
  return { version: SCREEN_VERSION, flags: await mapInSlices(contents, screenChunk, inTurn, sliceMs) };
}

/** A retrieved chunk's verdict: the stored one when the current rules made it, else a fresh screen. */
export function verdictOf(
  chunk: Pick<RetrievedChunk, 'content' | 'flag' | 'screenVersion'>,
): ChunkFlag | null {
  return chunk.screenVersion === SCREEN_VERSION ? chunk.flag : screenChunk(chunk.content);
}
