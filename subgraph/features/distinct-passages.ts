// Overlapping chunks of one document match the same question with the same sentences; shown as degraded
// answer passages they would repeat each other. Each passage keeps only the sentences no earlier passage of
// the same document showed, and a passage left with none is dropped.
import { SENTENCE_GAP } from '../retrieval/snippet';
import { joinSentences, splitSentences } from '../text/sentences';

export function distinctPassages<P extends { documentId: string; snippet: string }>(
  passages: readonly P[],
): P[] {
  const shown = new Map<string, Set<string>>();
  return passages.flatMap((passage) => {
    const seen = shown.get(passage.documentId) ?? new Set<string>();
    shown.set(passage.documentId, seen);
    // Runs of neighbouring sentences, as the snippet separated them; a removed sentence splits its run.
    const runs: string[][] = [];
    for (const part of passage.snippet.split(SENTENCE_GAP)) {
      let run: string[] = [];
      for (const sentence of splitSentences(part)) {
        if (seen.has(sentence)) {
          if (run.length > 0) runs.push(run);
          run = [];
          continue;
        }
        seen.add(sentence);
        run.push(sentence);
      }
      if (run.length > 0) runs.push(run);
    }
    if (runs.length === 0) return [];
    return [{ ...passage, snippet: runs.map(joinSentences).join(SENTENCE_GAP) }];
  });
}
