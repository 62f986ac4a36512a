// Model-free summary: picks the document's most central sentences, the last rung of the summarize degradation ladder.

import { leadingText } from './leading-text';
import { opensOnConnective } from '../../text/connectives';
import { joinSentences, splitSentences } from '../../text/sentences';
import { lightStem } from '../../text/light-stem';
import { isStopword } from '../../text/stopwords';
import { isKanaGrammar } from '../../text/cjk';
import type { TermVector } from './tfidf';
import { cosine, dot, norm, sumVectors, tfidfVectors } from './tfidf';
import { tokenize } from '../../text/tokens';
import { hasUnspacedScript, wordCount, wordPrefix } from '../word-cap';

// Beyond the lead, which is always kept (below), earlier sentences get a head start over later ones:
// business writing puts what matters first; centrality still decides between sentences far apart.
const POSITION_PRIOR = 0.15;
// Sentences about what the title names are what the document is about; weighted like centrality's spread.
const TITLE_WEIGHT = 0.2;
// Sentences this much less central than the best are off-topic: a shorter summary beats filling the budget with them.
const MIN_RELATIVE_CENTRALITY = 0.2;
// Above this similarity a candidate mostly repeats an already chosen sentence and would waste the word budget.
const REDUNDANCY_THRESHOLD = 0.8;
// About 8,000 words, eight times the longest summary (maxWords ≤ 1,000), ranked in ~15 ms; a 1 MB document
// ranked whole held the event loop for ~350 ms per summary.
export const MAX_RANKED_CHARS = 50_000;

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
  const trailing = /[\s,;:.!?…—–、，；：。！？．｡-]+$/u;
  if (hasUnspacedScript(sentence))
    return `${(wordPrefix(sentence, maxWords) ?? sentence).replace(trailing, '')}…`;
  const kept = sentence
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, maxWords)
    .join(' ')
    .replace(trailing, '');
  return `${kept}…`;
}

/**
 * A summary of at most `maxWords` words, counted as wordCount counts them (whitespace-separated, or dictionary
 * words in scripts written without spaces). A text that fits comes back whole. Otherwise:
 * whole sentences in document order, ranked by TF-IDF similarity to the rest of the text (stopwords ignored)
 * with a prior for early ones; the lead sentence is kept unless it shares no word with the rest (a greeting,
 * an aside); a sentence opening on a connective ("However, …") comes only with the sentence before it. The
 * title, when given, is never a sentence of the summary: sentences that share its words rank higher. A text
 * longer than MAX_RANKED_CHARS is summarized from its lead. The first sentence chosen opens on no connective,
 * or is the lead where every sentence does; when even it is longer than the budget it is truncated and marked
 * with "…", so a text with words never gets an empty summary.
 */
export function extractiveSummary(text: string, maxWords: number, title = ''): string {
  if (!Number.isFinite(maxWords) || maxWords < 1) {
    throw new RangeError(`maxWords must be >= 1, got ${String(maxWords)}`);
  }
  const budget = Math.floor(maxWords);
  if (wordCount(text, budget) <= budget) return text.trim();
  const sentences = splitSentences(leadingText(text, MAX_RANKED_CHARS));
  if (sentences.length === 0) return '';

  // Chinese and Japanese words come as bigrams (tokens.ts); Hiragana-only ones are grammar, like stopwords.
  const contentTerms = (sentence: string) =>
    tokenize(sentence)
      .filter((t) => !isStopword(t) && !isKanaGrammar(t))
      .map(lightStem);
  // The title joins the IDF statistics as one more "sentence" but is never a candidate.
  const [titleVector, ...vectors] = tfidfVectors([contentTerms(title), ...sentences.map(contentTerms)]);
  const n = sentences.length;
  const central = centrality(vectors);
  const scores = central.map(
    (score, i) =>
      score +
      POSITION_PRIOR * (1 - i / n) +
      TITLE_WEIGHT * (titleVector ? cosine(titleVector, vectors[i] ?? new Map()) : 0),
  );
  const floor = MIN_RELATIVE_CENTRALITY * central.reduce((best, score) => Math.max(best, score), 0);
  // Ties resolve to the earlier sentence so the output is deterministic.
  const byScore = scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ index }) => index);
  const leadKept = (central[0] ?? 0) > 0;
  const ranked = leadKept ? [0, ...byScore.filter((index) => index !== 0)] : byScore;

  // The sentence the loop below is sure to take when nothing before it fits: one that needs no sentence before
  // it, else the lead, which has none to bring (a later connective sentence may be skipped whole, and an
  // empty floor would follow).
  const first = ranked.find((index) => !opensOnConnective(sentences[index] ?? '')) ?? 0;
  const firstSentence = sentences[first] ?? '';
  if (wordCount(firstSentence) > budget) return truncateToWords(firstSentence, budget);

  const chosen = new Set<number>();
  let used = 0;
  const acceptable = (index: number): boolean => {
    const vector = vectors[index];
    if (vector === undefined) return false;
    if (chosen.size > 0 && !(index === 0 && leadKept) && (central[index] ?? 0) < floor) return false;
    return !(
      norm(vector) > 0 &&
      [...chosen].some((other) => {
        const otherVector = vectors[other];
        return otherVector !== undefined && cosine(vector, otherVector) > REDUNDANCY_THRESHOLD;
      })
    );
  };
  for (const index of ranked) {
    if (chosen.has(index) || !acceptable(index)) continue;
    // "However, …" without the sentence it answers reads as a fragment: both or neither.
    // The text's own first sentence has nothing before it to bring.
    const needsPrevious = index > 0 && opensOnConnective(sentences[index] ?? '') && !chosen.has(index - 1);
    // A chain of connectives ("But … However, …") is not worth following back.
    if (needsPrevious && opensOnConnective(sentences[index - 1] ?? '') && !chosen.has(index - 2)) continue;
    const group = needsPrevious ? [index - 1, index] : [index];
    const words = group.reduce((sum, i) => sum + wordCount(sentences[i] ?? ''), 0);
    if (used + words > budget) continue;
    for (const i of group) chosen.add(i);
    used += words;
    if (used === budget) break;
  }

  return joinSentences([...chosen].sort((a, b) => a - b).map((index) => sentences[index] ?? ''));
}
