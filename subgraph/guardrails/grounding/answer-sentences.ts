// An answer's sentences with where each lies in the text and which passages it cites, so a check can drop
// single sentences and leave the rest of the text, line breaks included, as the model wrote it.
import { splitSentences } from '../../text/sentences';
import { LEADING_MARKERS, citedNumbers } from './citation-markers';

export interface AnswerSentence {
  text: string;
  start: number;
  end: number;
  /** The passage numbers its markers name ("[2]", each of "[1, 3]"), in order, once each. */
  cited: number[];
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
}

function citedIn(text: string): number[] {
  return [...new Set(citedNumbers(text))];
}

/** The sentences of `answer` (as the project's splitter finds them) located in it. */
export function answerSentences(answer: string): AnswerSentence[] {
  const spans: { start: number; end: number }[] = [];
  let cursor = 0;
  for (const sentence of splitSentences(answer)) {
    // The splitter collapses whitespace; the sentence's words in order, any whitespace between, find it again.
    const found = new RegExp(escapeForPattern(sentence), 'g');
    found.lastIndex = cursor;
    const match = found.exec(answer);
    if (!match) continue;
    let start = match.index;
    const end = start + match[0].length;
    cursor = end;
    const previous = spans[spans.length - 1];
    // Markers that open a sentence ("… in France. [1, 2] It was …") belong to the sentence before them.
    const leading = LEADING_MARKERS.exec(match[0])?.[0];
    if (previous && leading) {
      previous.end = start + leading.length;
      start += leading.length;
    }
    if (answer.slice(start, end).trim() !== '') spans.push({ start, end });
  }
  return spans.map(({ start, end }) => {
    const text = answer.slice(start, end).trim();
    return { text, start, end, cited: citedIn(text) };
  });
}
