// A small count that the sentence itself shows: "Time and space are two resources", "BPP, ZPP and RP are three
// classes". The figure counts the sentence's own list, whose items are checked as words and names, so the
// sources need not spell the count out (they usually just list the items).
const MAX_COUNT = 10;
// One list separator: a comma, "and" or "or", or a comma with either (the serial comma).
const SEPARATOR = /,\s*(?:and|or)\b|,|\b(?:and|or)\b/gi;

function itemsListed(segment: string): number {
  const separators = segment.match(SEPARATOR) ?? [];
  return /\b(?:and|or)\b/i.test(segment) ? separators.length + 1 : 0;
}

/** Whether the count `value` at [start, end) of `sentence` equals the items of the list before or after it. */
export function countsOwnList(sentence: string, start: number, end: number, value: number): boolean {
  if (!Number.isInteger(value) || value < 2 || value > MAX_COUNT) return false;
  // The list stays inside the count's clause: a semicolon or colon before the count ends it.
  const before = sentence.slice(0, start).split(/[;:]/).pop() ?? '';
  const after = sentence.slice(end).split(/[;.]/)[0] ?? '';
  return itemsListed(before) === value || itemsListed(after.replace(/^[^:]*:/, '')) === value;
}
