// Model-free summary: picks the document's most central sentences, the last rung of the summarize degradation ladder.

import { leadingText } from './leading-text';
import { splitSentences } from './sentences';
import { isStopword } from '../../text/stopwords';
import type { TermVector } from './tfidf';
import { cosine, dot, norm, sumVectors, tfidfVectors } from './tfidf';
import { tokenize } from '../../text/tokens';

// Small enough to only break near-ties: leads often summarize, but centrality must decide.
const POSITION_PRIOR = 0.05;
// Sentences this much less central than the best are off-topic: a shorter summary beats filling the budget with them.
const MIN_RELATIVE_CENTRALITY = 0.2;
// Above this similarity a candidate mostly repeats an already chosen sentence and would waste the word budget.
const REDUNDANCY_THRESHOLD = 0.8;
// About 8,000 words, eight times the longest summary (maxWords ≤ 1,000), ranked in ~15 ms; a 1 MB document
// ranked whole held the event loop for ~350 ms per summary.
export const MAX_RANKED_CHARS = 50_000;

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

/**
 * Similarity of each sentence to the centroid of all the other sentences. Leaving the sentence itself out keeps a
 * long off-topic sentence from scoring well merely by matching its own contribution to the centroid.
 */
function centrality(vectors: readonly TermVector[]): number[] {
  const centroid = sumVectors(vectors);
  const centroidNormSquared = dot(centroid, centroid);
  return vectors.map((vector) => {
    const selfNormSquared = dot(vector, vector);
    const toCentroid = dot(vector, centroid);
    const toRest = toCentroid - selfNormSquared;
    // |C - v|^2 expanded so no per-sentence copy of the centroid is needed.
    const restNorm = Math.sqrt(Math.max(0, centroidNormSquared - 2 * toCentroid + selfNormSquared));
    const denominator = Math.sqrt(selfNormSquared) * restNorm;
    return denominator === 0 ? 0 : toRest / denominator;
  });
}

function truncateToWords(sentence: string, maxWords: number): string {
  const kept = sentence
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, maxWords)
    .join(' ')
    .replace(/[\s,;:.!?…—–-]+$/u, '');
  return `${kept}…`;
}

/**
 * A summary of at most `maxWords` whitespace-separated words made of the highest-ranked sentences (TF-IDF
 * similarity to the rest of the document, stopwords ignored), emitted in document order. A text longer than
 * MAX_RANKED_CHARS is summarized from its lead. When even the top-ranked
 * sentence is longer than the budget it is truncated and marked with "…".
 */
export function extractiveSummary(text: string, maxWords: number): string {
  if (!Number.isFinite(maxWords) || maxWords < 1) {
    throw new RangeError(`maxWords must be >= 1, got ${String(maxWords)}`);
  }
  const budget = Math.floor(maxWords);
  const sentences = splitSentences(leadingText(text, MAX_RANKED_CHARS));
  if (sentences.length === 0) return '';

  const vectors = tfidfVectors(sentences.map((sentence) => tokenize(sentence).filter((t) => !isStopword(t))));
  const n = sentences.length;
  const central = centrality(vectors);
  const scores = central.map((score, i) => score + POSITION_PRIOR * (1 - i / n));
  const floor = MIN_RELATIVE_CENTRALITY * central.reduce((best, score) => Math.max(best, score), 0);
  // Ties resolve to the earlier sentence so the output is deterministic.
  const ranked = scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ index }) => index);

  const best = ranked[0] ?? 0;
  const bestSentence = sentences[best] ?? '';
  if (wordCount(bestSentence) > budget) return truncateToWords(bestSentence, budget);

  const chosen: number[] = [];
  let used = 0;
  for (const index of ranked) {
    const sentence = sentences[index] ?? '';
    const vector = vectors[index];
    const words = wordCount(sentence);
    if (used + words > budget || vector === undefined) continue;
    if (chosen.length > 0 && (central[index] ?? 0) < floor) continue;
    const redundant =
      norm(vector) > 0 &&
      chosen.some((other) => {
        const otherVector = vectors[other];
        return otherVector !== undefined && cosine(vector, otherVector) > REDUNDANCY_THRESHOLD;
      });
    if (redundant) continue;
    chosen.push(index);
    used += words;
    if (used === budget) break;
  }

  return chosen
    .sort((a, b) => a - b)
    .map((index) => sentences[index] ?? '')
    .join(' ');
}
