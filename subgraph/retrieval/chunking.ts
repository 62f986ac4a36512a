// Splits a document into bounded, overlapping chunks for embedding and retrieval, breaking at natural boundaries.
import { drainInSlices, mapInSlices } from '../runtime/map-in-slices';
import type { InItsOwnTurn } from '../runtime/map-in-slices';
import { NON_TERMINAL_ABBREVIATIONS } from '../text/abbreviations';
import { isGroupSpace } from '../text/grouped-values';

export interface ChunkOptions {
  maxChars: number;
  overlapChars: number;
}

/** `text === normalizeText(input).slice(start, end)`: offsets let citations point back into the document. */
export interface TextChunk {
  index: number;
  text: string;
  start: number;
  end: number;
}

const MIN_MAX_CHARS = 50;
// Breaks are searched only in the tail of the window so chunks stay close to maxChars and the count stays low.
const BREAK_SEARCH_FRACTION = 0.25;

/**
 * Collapses whitespace runs inside lines to one space, trims lines and turns any run of blank lines into a single
 * "\n\n" paragraph break. Single line breaks survive because they often carry structure (lists, addresses).
 */
export function normalizeText(text: string): string {
  return joinParagraphs(linesOf(text).map(cleanLine));
}

const linesOf = (text: string): string[] => text.split(/\r\n?|\n/);
const cleanLine = (line: string): string => line.replace(/\s+/g, ' ').trim();

/** Cleaned lines as normalizeText's text: each run of empty ones one paragraph break, none at either end. */
function joinParagraphs(lines: readonly string[]): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line === '') {
      if (current.length > 0) paragraphs.push(current.join('\n'));
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) paragraphs.push(current.join('\n'));
  return paragraphs.join('\n\n');
}

function validate(options: ChunkOptions): void {
  const { maxChars, overlapChars } = options;
  if (!Number.isInteger(maxChars) || maxChars < MIN_MAX_CHARS) {
    throw new RangeError(`maxChars must be an integer >= ${MIN_MAX_CHARS}, got ${String(maxChars)}`);
  }
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars >= maxChars / 2) {
    throw new RangeError(
      `overlapChars must be an integer with 0 <= overlapChars < maxChars / 2 (${maxChars / 2}), got ${String(overlapChars)}`,
    );
  }
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\n';
}

/** True when the period at `dot` ends an abbreviation or an initial ("J.") rather than a sentence. */
function isAbbreviationDot(text: string, dot: number): boolean {
  let wordStart = dot;
  while (wordStart > 0 && !isSpace(text[wordStart - 1])) wordStart--;
  const word = text
    .slice(wordStart, dot)
    .replace(/^[("'“‘[]+/, '')
    .toLowerCase();
  if (word.length === 1 && /\p{L}/u.test(word)) return true;
  // Dotted forms like "U.S." or "e.g." are abbreviations whatever their letters.
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return true;
  return NON_TERMINAL_ABBREVIATIONS.has(word);
}

/**
 * Whether a chunk may end at `pos` (exclusive) because a sentence ends just before it: terminal punctuation,
 * optionally followed by closing quotes or brackets, then whitespace.
 */
function isSentenceEnd(text: string, pos: number): boolean {
  if (!isSpace(text[pos])) return false;
  let p = pos - 1;
  while (p >= 0 && /["'”’)\]]/.test(text[p] ?? '')) p--;
  const ch = text[p];
  if (ch === '!' || ch === '?') return true;
  if (ch !== '.') return false;
  return !isAbbreviationDot(text, p);
}

interface Span {
  start: number;
  end: number;
}

/**
 * Picks the span of a chunk that starts at `start` when the rest of the text does not fit. The chunk must reach past
 * `floor` (the previous chunk's end) or it would repeat text the previous chunk already holds.
 */
function findSpan(text: string, start: number, maxChars: number, floor: number): Span {
  const windowEnd = start + maxChars;
  // A break at exactly windowEnd is allowed: the chunk [start, windowEnd) then ends right before the boundary.
  // The tail always lies past `floor` because the overlap is under half a window.
  const minEnd = Math.max(start + 1, windowEnd - Math.floor(maxChars * BREAK_SEARCH_FRACTION));

  // Bounded scans rather than lastIndexOf, which would walk back to the document start on every window.
  for (let pos = windowEnd; pos >= minEnd; pos--) {
    if (text[pos] === '\n' && text[pos + 1] === '\n') return { start, end: pos };
  }
  for (let pos = windowEnd; pos >= minEnd; pos--) {
    if (isSentenceEnd(text, pos)) return { start, end: pos };
  }
  for (let pos = windowEnd; pos >= minEnd; pos--) {
    if (text[pos] === '\n') return { start, end: pos };
  }
  // Any word boundary in the whole window beats cutting a word, so this search is not limited to the tail.
  const lowest = Math.max(start, floor);
  for (let pos = windowEnd; pos > lowest; pos--) {
    // Only a word's end counts: the second "\n" of a paragraph break would be trimmed back to `floor`. Never
    // a space inside a number written in groups (an IBAN, a card): each piece would pass the redactor.
    if (isSpace(text[pos]) && !isSpace(text[pos - 1]) && !isGroupSpace(text, pos)) return { start, end: pos };
  }

  // The first new word runs past the window. If it fits on its own, give up some overlap so it stays whole.
  const wordStart = skipSpaces(text, floor);
  let wordEnd = wordStart;
  while (wordEnd < text.length && wordEnd - wordStart <= maxChars && !isSpace(text[wordEnd])) wordEnd++;
  if (wordEnd - wordStart <= maxChars) {
    let shifted = Math.max(start, wordEnd - maxChars);
    while (shifted < wordStart && !isWordStart(text, shifted)) shifted++;
    return { start: shifted, end: wordEnd };
  }
  return { start, end: avoidSurrogateSplit(text, windowEnd) };
}

/** Moves a cut point back by one if it would separate the two halves of a surrogate pair (emoji, rare CJK). */
function avoidSurrogateSplit(text: string, pos: number): number {
  const code = text.charCodeAt(pos);
  return code >= 0xdc00 && code <= 0xdfff ? pos - 1 : pos;
}

/**
 * Where the next chunk starts so that it repeats about `overlapChars` of the previous one, aligned to a word start
 * so the overlap does not begin mid-word. The overlap stays under half a window, which bounds the duplication.
 */
function nextStart(text: string, start: number, end: number, overlapChars: number, maxChars: number): number {
  const target = end - overlapChars;
  if (overlapChars === 0 || target <= start) return skipSpaces(text, end);

  let pos = target;
  while (pos < end && !isWordStart(text, pos)) pos++;
  if (pos < end) return pos;

  if (!isSpace(text[end])) {
    // The previous chunk was a hard cut through a giant word, so overlapping mid-word loses nothing.
    const midWord = avoidSurrogateSplit(text, target);
    return midWord > start ? midWord : skipSpaces(text, end);
  }
  // The overlap lies inside one long word: take all of it if that stays under half a window, else none.
  let wordStart = target;
  while (wordStart > start && !isWordStart(text, wordStart)) wordStart--;
  return wordStart > start && end - wordStart < maxChars / 2 ? wordStart : skipSpaces(text, end);
}

/** A word starts at `pos`, and not a group of a number written in groups (grouped-values.ts). */
function isWordStart(text: string, pos: number): boolean {
  return isSpace(text[pos - 1]) && !isSpace(text[pos]) && !isGroupSpace(text, pos - 1);
}

function skipSpaces(text: string, pos: number): number {
  let p = pos;
  while (p < text.length && isSpace(text[p])) p++;
  return p;
}

/**
 * Splits text into chunks of at most `maxChars` characters, consecutive chunks sharing about `overlapChars`
 * characters. Breaks prefer paragraph, then sentence, then line, then word boundaries near the end of each window;
 * only a single word longer than `maxChars` is cut. Offsets refer to `normalizeText(text)`.
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  validate(options);
  return [...chunksOf(normalizeText(text), options)];
}

/**
 * chunkText's chunks, `sliceMs` of work at a time, each further slice in its own turn of the event loop (`inTurn`):
 * normalizing and cutting a 1M-character document takes 20-100 ms, which would otherwise hold every other
 * request on the replica that long. A bad `options` rejects before any work.
 */
export async function chunkTextInSlices(
  text: string,
  options: ChunkOptions,
  inTurn: InItsOwnTurn,
  sliceMs: number = CHUNK_SLICE_MS,
): Promise<TextChunk[]> {
  validate(options);
  const lines = await mapInSlices(linesOf(text), cleanLine, inTurn, sliceMs);
  return drainInSlices(chunksOf(joinParagraphs(lines), options), inTurn, sliceMs);
}

/** The work chunkTextInSlices does before giving the event loop a turn. */
export const CHUNK_SLICE_MS = 10;

/** The chunks of `normalized` (normalizeText's output), made one at a time as they are asked for. */
function* chunksOf(normalized: string, options: ChunkOptions): Generator<TextChunk> {
  const { maxChars, overlapChars } = options;
  let index = 0;
  let start = 0;
  let previousEnd = 0;
  while (start < normalized.length) {
    const span: Span =
      normalized.length - start <= maxChars
        ? { start, end: normalized.length }
        : findSpan(normalized, start, maxChars, previousEnd);
    start = span.start;
    let end = span.end;
    while (end > start + 1 && isSpace(normalized[end - 1])) end--;

    yield { index: index++, text: normalized.slice(start, end), start, end };
    if (end >= normalized.length) return;
    previousEnd = end;
    start = nextStart(normalized, start, end, overlapChars, maxChars);
  }
}
