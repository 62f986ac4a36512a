// The retrieval rail at ask time: each retrieved chunk's injection verdict (stored at ingest, see
// guardrails/retrieval/chunk-verdict.ts), and the
// tenant's policy for flagged ones: left out of the prompt (`omit`), or kept and fenced as quoted data
// (`fence`). Counted either way.
import type { RailOutcome } from '../guardrails/rail-outcome';
import type { RetrievedChunk } from '../retrieval/store/document-store';
import { unreachable } from '../errors/unreachable';
import { screenChunk, verdictOf } from '../guardrails/retrieval/chunk-verdict';

export interface ScreenedPassage {
  chunk: RetrievedChunk;
  flagged: boolean;
}

export function screenPassages(
  chunks: readonly RetrievedChunk[],
  policy: 'omit' | 'fence',
): { passages: ScreenedPassage[]; outcome: RailOutcome } {
  const all = chunks.map((chunk) => ({ chunk, flagged: isFlagged(chunk) }));
  const flagged = all.filter((passage) => passage.flagged).length;
  if (flagged === 0) return { passages: all, outcome: { rail: 'retrieval', outcome: 'pass' } };
  switch (policy) {
    case 'omit':
      return {
        passages: all.filter((passage) => !passage.flagged),
        outcome: { rail: 'retrieval', outcome: 'fixed', detail: `${flagged} flagged chunk(s) omitted` },
      };
    case 'fence':
      return {
        passages: all,
        outcome: { rail: 'retrieval', outcome: 'flagged', detail: `${flagged} flagged chunk(s) fenced` },
      };
    default:
      return unreachable(policy);
  }
}

/** Titles' verdicts: a tenant's few hundred titles recur in every prompt, so each is screened once. */
const titleVerdicts = new Map<string, boolean>();
const MAX_TITLES_KEPT = 10_000;

function titleIsFlagged(title: string): boolean {
  const known = titleVerdicts.get(title);
  if (known !== undefined) return known;
  const flagged = screenChunk(title) !== null;
  if (titleVerdicts.size >= MAX_TITLES_KEPT) titleVerdicts.clear();
  titleVerdicts.set(title, flagged);
  return flagged;
}

/**
 * The stored verdict of the chunk's text (screened now when stored before the current rules), and its
 * document's title, which goes into the prompt too but is not screened at ingest.
 */
function isFlagged(chunk: RetrievedChunk): boolean {
  return verdictOf(chunk) !== null || titleIsFlagged(chunk.title);
}
