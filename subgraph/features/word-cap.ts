// Words as a reader counts them, and the model's text held to the word budget the caller asked for: models
// overshoot "at most N words". Most scripts separate words with spaces, so a word is a run of non-space
// characters. Chinese, Japanese, Thai, Lao, Khmer and Burmese do not: a paragraph of them is one such run, and
// their words are found by Intl.Segmenter's dictionary instead (slower, so only for text holding such script).

/** Characters of scripts written without spaces between words. */
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

// Intl.Segmenter slows down with the length of the string it walks (~0.7 s for 64,000 unbroken Chinese
// characters, ~25 ms for the same in pieces): it is given one whitespace-separated run at a time, and a run
// longer than this in pieces, cut after punctuation where there is some.
const PIECE_CHARS = 256;

let segmenter: Intl.Segmenter | undefined;

/** `[start, end)` of each piece of `run` (at `offset` in its text) short enough to segment quickly. */
function* pieces(run: string, offset: number): Generator<[number, number]> {
  let start = 0;
  while (run.length - start > PIECE_CHARS) {
    let cut = start + PIECE_CHARS;
    for (let i = cut - 1; i >= start + PIECE_CHARS / 2; i -= 1) {
      if (/\p{P}/u.test(run.charAt(i))) {
        cut = i + 1;
        break;
      }
    }
    yield [offset + start, offset + cut];
    start = cut;
  }
  yield [offset + start, offset + run.length];
}

/**
 * The end offset of each word of `text`, lazily, in order: a whitespace-separated run is one word, as in
 * spaced scripts, unless it holds unspaced script, when its words are Intl.Segmenter's word-like segments.
 */
function* wordEnds(text: string): Generator<number> {
  for (const run of text.matchAll(/\S+/gu)) {
    const end = run.index + run[0].length;
    if (!UNSPACED_SCRIPT.test(run[0])) {
      yield end;
      continue;
    }
    segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
    for (const [from, to] of pieces(run[0], run.index)) {
      for (const segment of segmenter.segment(text.slice(from, to))) {
        if (segment.isWordLike) yield from + segment.index + segment.segment.length;
      }
    }
  }
}

export function hasUnspacedScript(text: string): boolean {
  return UNSPACED_SCRIPT.test(text);
}

/**
 * How many words `text` holds. With `limit`, counting stops once it is passed (the result is then `limit + 1`),
 * so asking whether a long text fits a budget costs no more than the budget's worth of segmenting.
 */
export function wordCount(text: string, limit = Infinity): number {
  if (!hasUnspacedScript(text)) return text.split(/\s+/).filter((word) => word !== '').length;
  let count = 0;
  const ends = wordEnds(text);
  while (count <= limit && !ends.next().done) count += 1;
  return count;
}

/**
 * The start of `text` holding its first `maxWords` words, cut right after the last of them; `undefined` when the
 * text holds no more than that. Words are counted as wordCount counts them.
 */
export function wordPrefix(text: string, maxWords: number): string | undefined {
  let count = 0;
  let cut = 0;
  for (const end of wordEnds(text)) {
    count += 1;
    if (count > maxWords) return text.slice(0, cut);
    cut = end;
  }
  return undefined;
}

/** `text` trimmed, cut after its `maxWords`th word and marked "…" when it holds more. */
export function capWords(text: string, maxWords: number): string {
  const trimmed = text.trim();
  if (hasUnspacedScript(trimmed)) {
    const kept = wordPrefix(trimmed, maxWords);
    return kept === undefined ? trimmed : `${kept.trimEnd()}…`;
  }
  const words = trimmed.split(/\s+/);
  if (words.length <= maxWords) return trimmed;
  return `${words.slice(0, maxWords).join(' ')}…`;
}
