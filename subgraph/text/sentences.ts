// Sentence splitter for extractive summaries: cheap heuristics that survive abbreviations, initials and decimals.
import { NON_TERMINAL_ABBREVIATIONS } from './abbreviations';
import { CJK_CHARS, hasCjk } from './cjk';
import { collapseWhitespace } from './collapse-whitespace';

// Closing quotes and brackets a sentence's terminator may sit inside: Latin ones, and the corner brackets,
// full-width brackets and quotes of Chinese and Japanese.
const CLOSERS = `"'”’)\\]」』）］】〕〉》｝`;
// Terminal punctuation, optionally followed by closing quotes or brackets, that is followed by whitespace or the end.
// Requiring whitespace after it is what keeps decimals ("3.14") and domains ("example.com") whole. Korean,
// which puts spaces between words and sentences, ends its sentences here too.
const SPACED = `[.!?…]+["'”’)\\]]*(?=\\s|$)`;
// Chinese and Japanese end a sentence with 。！？ (or the half-width ｡, the full-width ．) and need no space after
// it; an ASCII ! or ? ends one where CJK text or a space follows, and an ASCII . only between CJK characters
// ("3.5万", "Ver.2の" stay whole). Closing quotes and brackets after the terminator stay with its sentence.
const UNSPACED =
  `[。｡！？．!?]*[。｡！？．][${CLOSERS}]*` +
  `|[!?]+[${CLOSERS}]*(?=[${CJK_CHARS}]|\\s|$)` +
  `|(?<=[${CJK_CHARS}])\\.(?=[${CJK_CHARS}])`;
// Group 1 is a spaced terminator, judged by `endsSentence`; group 2 an unspaced one, by `endsUnspaced`.
const TERMINATOR = new RegExp(`(${SPACED})|(${UNSPACED})`, 'gu');

// After a closing quote or bracket, Japanese goes on with a particle ("「返品できますか？」とよく聞かれます"):
// the quotation was part of the sentence. The same after an enumeration comma.
const CONTINUES_QUOTATION = new RegExp(`[${CLOSERS}]$`, 'u');
const CONTINUATION = /^[\p{Script=Hiragana}、，,]/u;

/** The word that ends at `end` (exclusive), without opening punctuation, lowercased. */
function wordBefore(text: string, end: number): string {
  const start = text.lastIndexOf(' ', end - 1) + 1;
  return text
    .slice(start, end)
    .replace(/^[("'“‘[]+/u, '')
    .toLowerCase();
}

function isAbbreviation(word: string): boolean {
  if (NON_TERMINAL_ABBREVIATIONS.has(word)) return true;
  // Initials ("J. Smith") and dotted forms ("U.S.", "Ph.D") rarely end a sentence; splitting them is the worse error.
  // A CJK character is no initial: a one-syllable Korean word ends a sentence ("가격은 5만 원. 배송은 무료.").
  return (/^\p{L}$/u.test(word) && !hasCjk(word)) || /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u.test(word);
}

/** Whether the terminator matched at `[at, end)` in a whitespace-normalized paragraph ends a sentence. */
function endsSentence(paragraph: string, at: number, match: string, end: number): boolean {
  if (/[!?]/.test(match)) return true;
  // A following lowercase word means the period belonged to an abbreviation we do not know, not to a sentence end.
  const next = paragraph.slice(end).trimStart();
  if (next !== '' && /^\p{Ll}/u.test(next)) return false;
  if (match.startsWith('…') || match.startsWith('..')) return true;
  return !isAbbreviation(wordBefore(paragraph, at));
}

/** Whether the Chinese or Japanese terminator matched at `[at, end)` ends a sentence. */
function endsUnspaced(paragraph: string, at: number, match: string, end: number): boolean {
  // A full-width point between digits is a decimal point ("３．５").
  if (match === '．' && /\p{Nd}/u.test(paragraph.charAt(at - 1)) && /\p{Nd}/u.test(paragraph.charAt(end)))
    return false;
  return !(CONTINUES_QUOTATION.test(match) && CONTINUATION.test(paragraph.slice(end)));
}

/**
 * Splits text into sentences on . ! ? and on blank lines between paragraphs, keeping abbreviations ("e.g.", "Dr.",
 * "U.S."), initials and decimals inside their sentence; Chinese and Japanese text also on 。！？, with no space
 * after them. Whitespace inside each sentence is collapsed to one space.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const rawParagraph of text.split(/\r?\n\s*\n/)) {
    const paragraph = collapseWhitespace(rawParagraph).trim();
    if (paragraph === '') continue;

    let sentenceStart = 0;
    for (const match of paragraph.matchAll(TERMINATOR)) {
      const at = match.index;
      const end = at + match[0].length;
      const ends =
        match[1] === undefined
          ? endsUnspaced(paragraph, at, match[0], end)
          : endsSentence(paragraph, at, match[0], end);
      if (!ends) continue;
      const sentence = paragraph.slice(sentenceStart, end).trim();
      if (sentence !== '') sentences.push(sentence);
      sentenceStart = end;
    }
    const rest = paragraph.slice(sentenceStart).trim();
    if (rest !== '') sentences.push(rest);
  }
  return sentences;
}

// A sentence of Chinese or Japanese that ends on its own terminator, with any closing quotes or brackets.
const ENDS_UNSPACED = new RegExp(`[。｡！？．][${CLOSERS}]*$`, 'u');

/** What goes between `sentence` and the one after it: Chinese and Japanese put no space after 。！？. */
export function separatorAfter(sentence: string): '' | ' ' {
  return ENDS_UNSPACED.test(sentence) ? '' : ' ';
}

/** Sentences (as splitSentences gives them) joined as written: with a space, none after one ending on 。！？. */
export function joinSentences(sentences: readonly string[]): string {
  return sentences
    .map((sentence, i) => (i === 0 ? sentence : `${separatorAfter(sentences[i - 1] ?? '')}${sentence}`))
    .join('');
}

// A sentence's last terminator, with any closing quotes or brackets after it.
const ENDS_ON_TERMINATOR = new RegExp(`(?:[.!?…]["'”’)\\]]*|[。｡！？．!?][${CLOSERS}]*)$`, 'u');

/**
 * Whether `sentence` ends on terminal punctuation (. ! ? … or Chinese and Japanese 。！？), rather than where a
 * text was cut short of its sentence's end.
 */
export function endsOnTerminator(sentence: string): boolean {
  return ENDS_ON_TERMINATOR.test(sentence);
}
