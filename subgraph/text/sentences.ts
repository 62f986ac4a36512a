// Sentence splitter for extractive summaries: cheap heuristics that survive abbreviations, initials and decimals.
import { NON_TERMINAL_ABBREVIATIONS } from './abbreviations';
import { collapseWhitespace } from './collapse-whitespace';

// Terminal punctuation, optionally followed by closing quotes or brackets, that is followed by whitespace or the end.
// Requiring whitespace after it is what keeps decimals ("3.14") and domains ("example.com") whole.
const TERMINATOR = /[.!?…]+["'”’)\]]*(?=\s|$)/gu;

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
  return /^\p{L}$/u.test(word) || /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u.test(word);
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

/**
 * Splits text into sentences on . ! ? and on blank lines between paragraphs, keeping abbreviations ("e.g.", "Dr.",
 * "U.S."), initials and decimals inside their sentence. Whitespace inside each sentence is collapsed to one space.
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
      if (!endsSentence(paragraph, at, match[0], end)) continue;
      const sentence = paragraph.slice(sentenceStart, end).trim();
      if (sentence !== '') sentences.push(sentence);
      sentenceStart = end;
    }
    const rest = paragraph.slice(sentenceStart).trim();
    if (rest !== '') sentences.push(rest);
  }
  return sentences;
}
