// Overlapping chunks of one document match the same question with the same sentences; shown as degraded
// answer passages they would repeat each other. A passage whose every sentence an earlier passage of the
// same document already showed adds nothing and is left out.
import { SENTENCE_GAP } from '../retrieval/snippet';
import { splitSentences } from '../text/sentences';

export function distinctPassages<P extends { documentId: string; snippet: string }>(
  passages: readonly P[],
): P[] {
  const shown = new Map<string, Set<string>>();
  return passages.filter((passage) => {
    const seen = shown.get(passage.documentId) ?? new Set<string>();
    shown.set(passage.documentId, seen);
    const sentences = passage.snippet.split(SENTENCE_GAP).flatMap((part) => splitSentences(part));
    const news = sentences.filter((sentence) => !seen.has(sentence));
    for (const sentence of sentences) seen.add(sentence);
    return news.length > 0;
  });
}
