// Proper names in a sentence: runs of capitalized words ("King Charles III of West Francia"), joined by the
// particles names carry ("of", "de", "van"). Capitals are the only signal without a lexicon, so the first
// word of a sentence is marked `atStart` and judged later, against the sources.
import { isCommonOpener } from './sentence-openers';
import type { TakenSpans } from './spans';
import { NON_CJK_LETTER, hasCjk } from '../../text/cjk';

export interface NameMention {
  text: string;
  /** Whether the run is a single word that opens the sentence, whose capital says nothing. */
  atStart: boolean;
}

// A word: letters and digits, with inner apostrophes and hyphens ("O'Brien", "Saint-Clair-sur-Epte"). Chinese,
// Japanese and Korean characters are none of it: they have no capitals, and a Latin name stands right against
// them ("Acme社の", "Contoso는"), which would otherwise make the whole run one capitalized "word".
const PART = `(?:${NON_CJK_LETTER}|[\\p{M}\\p{N}])`;
const WORD = new RegExp(`(?:${NON_CJK_LETTER}|\\p{N})${PART}*(?:['’-]${PART}+)*`, 'gu');
const PARTICLES: ReadonlySet<string> = new Set(
  'of de da di du del della der den van von la le al bin ibn y'.split(' '),
);
// Articles and prepositions that open a sentence capitalized ("The Normans", "In France") are not part of a name.
const LEADING_FUNCTION_WORDS =
  /^(?:the|a|an|in|on|at|by|for|from|to|of|as|with|and|but|or|this|that|these|those)$/i;

const isCapitalized = (word: string) => /\p{Lu}/u.test(word) && word !== 'I';

/** Names in `sentence` (citation markers already removed), skipping words inside `taken` (dates' months). */
export function findNames(sentence: string, taken: TakenSpans): NameMention[] {
  const words = [...sentence.matchAll(WORD)].map((match) => ({
    text: match[0],
    start: match.index ?? 0,
    end: (match.index ?? 0) + match[0].length,
  }));
  // The sentence's first word, whose capital says nothing; in Chinese, Japanese or Korean text a Latin word
  // after CJK characters is not the first ("料金はContoso社が…"), and its capital marks a name.
  const first = words[0];
  const opener = first && !hasCjk(sentence.slice(0, first.start)) ? first : undefined;
  const names: NameMention[] = [];
  let run: typeof words = [];
  const close = () => {
    // Particles only join names: one at either end of a run belongs to the surrounding sentence.
    while (run.length > 0 && PARTICLES.has(run[run.length - 1]?.text ?? '')) run.pop();
    let from = 0;
    while (from < run.length && LEADING_FUNCTION_WORDS.test(run[from]?.text ?? '')) from++;
    // The sentence's first word joins a name only if it could be part of one ("Within PSPACE" is not a name).
    const head = run[0];
    if (
      from === 0 &&
      head !== undefined &&
      run.length > 1 &&
      head === opener &&
      isCommonOpener(head.text.toLowerCase())
    )
      from = 1;
    const kept = run.slice(from);
    if (kept.length > 0) {
      const text = sentence.slice(kept[0]?.start, kept[kept.length - 1]?.end);
      names.push({ text, atStart: kept.length === 1 && kept[0] === opener });
    }
    run = [];
  };
  words.forEach((word, index) => {
    // A label opening the sentence ("Summary: …", "Answer: …", "Note: …") heads the text; it names nothing.
    if (index === 0 && /^\s*:/.test(sentence.slice(word.end))) return;
    const joined = index > 0 && /^\s+$/.test(sentence.slice(words[index - 1]?.end, word.start));
    if (!joined) close();
    if (taken.overlaps(word.start, word.end)) return close();
    if (isCapitalized(word.text)) run.push(word);
    else if (run.length > 0 && PARTICLES.has(word.text)) run.push(word);
    else close();
  });
  close();
  return names;
}
