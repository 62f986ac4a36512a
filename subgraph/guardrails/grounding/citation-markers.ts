// Citation markers as answers write them: one passage number in square brackets ("[2]"), or a group citing
// several at once, as text cites more than one source for one claim: "[1, 2]", "[1,2]", "[1; 3]", a range
// "[1–3]" (or "[1-3]"). A group cites each of its numbers, wherever markers are read: which passages a
// sentence cites (grounding), what the format and citations rails count, and how the Answer renumbers them.
// Adjacent markers ("[1][2]") are simply markers, one number each.

/** One number or range of a group. */
const ITEM = '\\d{1,3}(?:\\s*[-–]\\s*\\d{1,3})?';
/** A marker, as a regular-expression source: its one capture group is what the brackets hold. */
const MARKER = `\\[(${ITEM}(?:\\s*[,;]\\s*${ITEM})*)\\]`;

/** Every citation marker; `match[1]` is its content ("1, 2"). */
export const CITATION_MARKER = new RegExp(MARKER, 'g');

/** A run of markers at the start of a text (" [1] [2, 3]"), with any whitespace before each. */
export const LEADING_MARKERS = new RegExp(`^(?:\\s*${MARKER})+`);

// The longest range expanded: a wider one ("[1-999]") is no citation a reader could follow, and cites its ends.
const MAX_RANGE = 20;

/** The passage numbers a marker's content names, in order: "1, 2" → [1, 2], "2–4" → [2, 3, 4]. */
export function markerNumbers(content: string): number[] {
  return content.split(/\s*[,;]\s*/).flatMap((item) => {
    const [low, high] = item.split(/\s*[-–]\s*/).map(Number);
    if (low === undefined || high === undefined) return low === undefined ? [] : [low];
    if (high < low || high - low > MAX_RANGE) return [low, high];
    return Array.from({ length: high - low + 1 }, (_, offset) => low + offset);
  });
}

/** Every passage number `text` cites, in the order written, repeats included. */
export function citedNumbers(text: string): number[] {
  return [...text.matchAll(CITATION_MARKER)].flatMap((match) => markerNumbers(match[1] ?? ''));
}

/** `text` without its citation markers, each replaced by a space (markers are format, not claim). */
export function withoutMarkers(text: string): string {
  return text.replace(CITATION_MARKER, ' ');
}

const MARKER_WITH_SPACE = new RegExp(`([ \\t]*)${MARKER}`, 'g');

/**
 * `text` with each marker's numbers mapped by `renumber`: a number it maps to undefined is dropped, and a
 * marker left with none is removed with the space before it ("date [1] [9]." → "date [1]."). Each marker is
 * written as plain [n] markers, one per number, ascending, once each: "[3, 1]" with 3 → 1 and 1 → 2 becomes
 * "[1][2]". A group is thus renumbered as a whole, and the Answer's text holds only the [n] form its
 * citations are documented in.
 */
export function renumberMarkers(text: string, renumber: (n: number) => number | undefined): string {
  return text.replace(MARKER_WITH_SPACE, (_marker, space: string, content: string) => {
    const numbers = markerNumbers(content).flatMap((n) => {
      const mapped = renumber(n);
      return mapped === undefined ? [] : [mapped];
    });
    if (numbers.length === 0) return '';
    const written = [...new Set(numbers)].sort((a, b) => a - b).map((n) => `[${n}]`);
    return `${space}${written.join('')}`;
  });
}
