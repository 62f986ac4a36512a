// Email addresses: a dot-atom local part, `@`, and a domain of labels ending in an alphabetic TLD (RFC 5322's
// common form; quoted local parts are too rare in prose to be worth their false matches). Letters may be any
// script's, since internationalized addresses (RFC 6531) reach support tickets too, and in either Unicode
// normal form: a decomposed é (e + U+0301) is a letter and its combining mark, both part of the address.
//
// The scan is anchored on each `@` and grows outward, so every character is looked at a bounded number of
// times: a single regular expression that tries each position as a local part's start rescans a whole run of
// local-part characters (`====…`, a base64 blob) from each of them, quadratic in the run's length.
import type { Detector, PiiSpan } from '../kinds';

/** A local-part character (RFC 5322 atext, any script's letters and digits, combining marks). */
const ATEXT = /[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]/u;
/** Characters an address may not start right after: it would start inside a word or a dotted run. */
const GLUED_BEFORE = /[\p{L}\p{M}\p{N}._%+-]/u;
/** Labels of letters, digits (and marks) with inner hyphens, dot-separated, then an alphabetic TLD. */
const DOMAIN =
  /(?:[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?\.)+\p{L}[\p{L}\p{M}]{1,23}(?![\p{L}\p{M}\p{N}-])/uy;

const isLocalChar = (char: string): boolean => char === '.' || ATEXT.test(char);

/**
 * The start of the address whose `@` is at `at`, or -1: the leftmost start at or after `from` whose local part
 * is a dot-atom (no dot first, last or doubled) not glued to a word, a dot or a `+` before it.
 */
function localStart(text: string, from: number, at: number): number {
  if (at === from || text[at - 1] === '.') return -1;
  // The run of local-part characters before the `@`; it stops at any other character, so at the last `@`.
  let runStart = at;
  let lastDoubleDot = -1;
  while (runStart > from && isLocalChar(text[runStart - 1] as string)) {
    runStart -= 1;
    if (text[runStart] === '.' && text[runStart + 1] === '.' && lastDoubleDot < 0)
      lastDoubleDot = runStart + 1;
  }
  for (let start = Math.max(runStart, lastDoubleDot + 1); start < at; start += 1) {
    if (text[start] === '.') continue;
    if (start === 0 || !GLUED_BEFORE.test(text[start - 1] as string)) return start;
  }
  return -1;
}

export const detectEmails: Detector = (text) => {
  const found: PiiSpan[] = [];
  // Where the last address ended: the next one starts after it, as a left-to-right scan would find them.
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text);
    if (!domain) continue;
    const start = localStart(text, from, at);
    if (start < 0) continue;
    const end = at + 1 + domain[0].length;
    found.push({ kind: 'EMAIL', start, end });
    from = end;
  }
  return found;
};
