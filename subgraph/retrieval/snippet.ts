// A passage's snippet: the whole sentences that best support the query, with the sentence before one that
// opens on a connective. Made here rather than with Postgres's ts_headline, which was most of a search's
// database time (it re-parses every hit's text), and the store's queries run on the request path.
import { isGroupSpace } from '../text/grouped-values';
import { opensOnConnective } from '../text/connectives';
import { matchesStem, querySupport, queryStems } from '../text/query-terms';
import { endsOnTerminator, joinSentences, separatorAfter, splitSentences } from '../text/sentences';
import { CJK_CHARS, cjkBigrams } from '../text/cjk';

export const SNIPPET_CHARS = 240;
// Between two sentences that are not neighbours in the passage, so the reader sees that text was left out.
export const SENTENCE_GAP = ' … ';
// A sentence this many times longer than the budget (a table, a list without full stops) is cut around its
// first matching word instead: a whole "sentence" of a page would not be a snippet.
const LONGEST_WHOLE_SENTENCE = 2;

const STARTS_CJK = new RegExp(`^[${CJK_CHARS}]`, 'u');

// Moved to text/cjk.ts, shared with the tokenizer; exported here still for those that import it from search.
export { cjkBigrams };

/** How well `sentence` supports the query's stems, CJK runs compared bigram by bigram as search matched them. */
const supportOf = (sentence: string, stems: readonly string[]): number =>
  querySupport(cjkBigrams(sentence), stems);

/**
 * Where a chunk stands in its document. A chunk after the first starts inside the previous chunk's text (the
 * overlap, chunking.ts), so its first "sentence" may be the tail of one; a chunk before the last may end short
 * of a sentence's end. The document's own first and last sentences are whole, whatever they look like.
 * Unknown (left out): either edge may be such a cut.
 */
export interface ChunkEdges {
  startsDocument?: boolean;
  endsDocument?: boolean;
}

/**
 * The sentences of `content` that best support `query`, whole and in source order, within about `maxChars`:
 * the best one always (with the sentence before it when it opens on a connective), then the next best while
 * they fit. A passage that fits in `maxChars` comes back whole; one with no query word, its opening sentences.
 */
export function snippetOf(
  content: string,
  query: string,
  maxChars = SNIPPET_CHARS,
  edges: ChunkEdges = {},
): string {
  const text = content.replace(/\s+/g, ' ').trim();
  const stems = queryStems(cjkBigrams(query));
  // Only a piece the overlap cut is left out (see wholeSentences): a passage short enough is otherwise whole.
  const sentences = wholeSentences(splitSentences(text), stems, edges);
  const whole = joinSentences(sentences);
  if (whole.length <= maxChars) return whole;
  const support = sentences.map((sentence) => supportOf(sentence, stems));
  // Best support first; ties go to the earlier sentence, and with no match at all that is the opening.
  const ranked = support
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ index }) => index);

  const best = ranked[0] ?? 0;
  const bestSentence = sentences[best] ?? text;
  if (bestSentence.length > LONGEST_WHOLE_SENTENCE * maxChars) return windowAround(text, stems, maxChars);

  const chosen = new Set<number>();
  let used = 0;
  const take = (index: number): void => {
    const withContext = opensOnConnective(sentences[index] ?? '') && index > 0 ? [index - 1, index] : [index];
    const added = withContext.filter((i) => !chosen.has(i));
    const length = added.reduce((sum, i) => sum + (sentences[i]?.length ?? 0) + 1, 0);
    if (chosen.size > 0 && used + length > maxChars) return;
    for (const i of added) chosen.add(i);
    used += length;
  };
  take(best);
  for (const index of ranked.slice(1)) {
    // Without a match, the opening sentences read best; with one, only other supporting sentences are worth the room.
    if ((support[best] ?? 0) > 0 && (support[index] ?? 0) === 0) break;
    take(index);
  }
  return joinInOrder(sentences, [...chosen]);
}

/**
 * The sentences without the pieces an overlapping chunk cut: a chunk after the document's first starts inside
 * the previous chunk's text, so its first "sentence" may be the tail of one ("that was charged for the
 * order."), and one before the document's last may stop short. Only an edge that may be such a cut is
 * trimmed (see ChunkEdges), and never a piece holding a query word no other sentence of the passage holds:
 * the snippet would then hide why the passage matched. A passage made only of a piece keeps it: something is
 * better than nothing.
 */
function wholeSentences(sentences: string[], stems: readonly string[], edges: ChunkEdges): string[] {
  let from = 0;
  let to = sentences.length;
  const droppable = (piece: number) =>
    !stems.some(
      (stem) =>
        holds(sentences[piece] ?? '', stem) &&
        !sentences.slice(from, to).some((sentence, i) => from + i !== piece && holds(sentence, stem)),
    );
  if (!edges.startsDocument && to - from > 1 && /^\p{Ll}/u.test(sentences[from] ?? '') && droppable(from))
    from += 1;
  const last = to - 1;
  if (!edges.endsDocument && to - from > 1 && !endsOnTerminator(sentences[last] ?? '') && droppable(last))
    to -= 1;
  return sentences.slice(from, to);
}

const holds = (sentence: string, stem: string): boolean => supportOf(sentence, [stem]) > 0;

function joinInOrder(sentences: readonly string[], indexes: number[]): string {
  const ordered = indexes.sort((a, b) => a - b);
  return ordered
    .map((index, i) => {
      const sentence = sentences[index] ?? '';
      const previous = ordered[i - 1];
      if (previous === undefined) return sentence;
      return `${previous === index - 1 ? separatorAfter(sentences[previous] ?? '') : SENTENCE_GAP}${sentence}`;
    })
    .join('');
}

/** A bounded window of `text` around the first word matching a stem, at word boundaries, with ellipses where cut. */
function windowAround(text: string, stems: readonly string[], maxChars: number): string {
  const hit = firstMatch(text.toLowerCase(), stems);
  // Some context before the match, more after it; both ends moved to a word boundary, or where a run has no
  // space (CJK text), at least to a grapheme's: a space is used only on its side of the match, so the cut
  // never drops the match itself.
  let start = hit < 0 ? 0 : Math.max(0, hit - Math.floor(maxChars / 3));
  if (start > 0) {
    const space = spaceFrom(text, start, 1);
    start = space >= 0 && space < hit ? space + 1 : graphemeStart(text, start);
  }
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) {
    const space = spaceFrom(text, end, -1);
    end = space > Math.max(start, hit) ? space : graphemeStart(text, end);
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

/**
 * The first space at or after `from` (`step` 1), or the last at or before it (-1), that is not inside a number
 * written in groups (grouped-values.ts: a cut there would leave an IBAN's or a card's parts unredactable); -1.
 */
function spaceFrom(text: string, from: number, step: 1 | -1): number {
  let space = step === 1 ? text.indexOf(' ', from) : text.lastIndexOf(' ', from);
  while (space >= 0 && isGroupSpace(text, space))
    space = step === 1 ? text.indexOf(' ', space + 1) : space === 0 ? -1 : text.lastIndexOf(' ', space - 1);
  return space;
}

/**
 * Where the first word matching a stem starts in `lower`, or -1. A CJK stem (a bigram or a lone character) is
 * looked for inside the word as well: a CJK "word" here is a whole run of text, the stem one part of it.
 */
function firstMatch(lower: string, stems: readonly string[]): number {
  const cjkStems = stems.filter((stem) => STARTS_CJK.test(stem));
  for (const word of lower.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}']*/gu)) {
    if (stems.some((stem) => matchesStem(word[0], stem))) return word.index;
    const inside = cjkStems.map((stem) => word[0].indexOf(stem)).filter((at) => at >= 0);
    if (inside.length > 0) return word.index + Math.min(...inside);
  }
  return -1;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `index`, or the start of the grapheme it falls inside: a cut at a raw UTF-16 position could split a
 * surrogate pair, leaving a lone half (not well-formed text), or an emoji sequence or accented letter.
 */
function graphemeStart(text: string, index: number): number {
  return graphemes.segment(text).containing(index)?.index ?? index;
}
