// Chinese, Japanese and Korean text as the project's text tools read it. Chinese and Japanese put no spaces
// between words, so a run of their characters reads as one "word" to anything that splits on spaces or on
// letters: a whole clause. As Lucene's CJKAnalyzer does, and as search indexes them (migration 017), such a
// run is cut into its overlapping bigrams. Korean puts spaces between words but glues particles to them
// ("회의는", "회의가"): its words are cut the same way, as search cuts them.

/**
 * Han, Hiragana, Katakana and Hangul, the same ranges as the store's lexical_text (migration 017), as the
 * inside of a regular-expression character class (for patterns with the `u` flag).
 */
export const CJK_CHARS = [
  String.raw`\u2E80-\u2FDF\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3FFFF}`,
  String.raw`\u3041-\u309F\u30A1-\u30FA\u30FC-\u30FF\u31F0-\u31FF\uFF66-\uFF9F\u{1AFF0}-\u{1B16F}`,
  String.raw`\u1100-\u11FF\u3131-\u318E\uA960-\uA97F\uAC00-\uD7A3\uD7B0-\uD7FF\uFFA0-\uFFDC`,
].join('');

const CJK_RUN = new RegExp(`[${CJK_CHARS}]+`, 'gu');
const HAS_CJK = new RegExp(`[${CJK_CHARS}]`, 'u');

/** Whether `text` holds a CJK character. */
export function hasCjk(text: string): boolean {
  return HAS_CJK.test(text);
}

/**
 * `text` with each run of CJK characters as its overlapping bigrams, set off by spaces, as the store's
 * lexical_text cuts text for search: a run has no spaces between its words, so without this a query word
 * inside it never matches. A one-character run stays one token; text without CJK comes back unchanged. The
 * result cut again is the same tokens: a bigram is its own only bigram.
 */
export function cjkBigrams(text: string): string {
  return text.replace(CJK_RUN, (run) => {
    const chars = [...run];
    const bigrams = chars.length === 1 ? chars : chars.slice(1).map((char, i) => `${chars[i]}${char}`);
    return ` ${bigrams.join(' ')} `;
  });
}

// Hiragana (with the prolonged sound mark): what Japanese writes its particles and inflections in.
const HIRAGANA_ONLY = /^[\u3041-\u309F\u30FC]+$/u;

/**
 * Whether a token is a bigram (or lone character) of Hiragana only: "ます", "して", "の": Japanese grammar,
 * which every sentence shares, as English shares its stopwords. Content words are written in Kanji or
 * Katakana, or hold one (a bigram across "返品を" is "品を").
 */
export function isKanaGrammar(token: string): boolean {
  return HIRAGANA_ONLY.test(token);
}

/**
 * A letter of a script written with spaces or one without them other than CJK, as a regular-expression
 * source (for patterns with the `u` flag): what "inside a word" means next to a figure or a name. In CJK text
 * a figure or a Latin name sits right against the characters around it ("30日以内", "Acme社の"), and those
 * are no part of it.
 */
export const NON_CJK_LETTER = `(?:(?![${CJK_CHARS}])\\p{L})`;
