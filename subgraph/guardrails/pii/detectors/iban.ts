// IBANs, compact (GB29NWBK60161331926819) or printed in groups of four split by spaces (GB29 NWBK 6016 1331
// 9268 19) or by dashes (DE89-3704-0044-0532-0130-00), one separator throughout, in either case: validated by
// the country's registered length and the mod-97 check, so a product code or a reference that merely looks
// like one is left alone. Any space character may split the groups (a no-break space from a word processor):
// the text is read with them made plain spaces (separators.ts).
import { ibanLength, ibanValid } from '../iban';
import type { Detector, PiiSpan } from '../kinds';
import { withPlainSpaces } from '../separators';

const COMPACT = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}(?![\p{L}\p{N}])/gu;
// The grouped form may run into a following short word ("… 9268 19 and"), so the length decides its end. Its
// separator (group 1) is the one after the country and check digits, and every later one is the same.
const GROUPED =
  /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}([ -])[A-Za-z0-9]{4}(?:\1[A-Za-z0-9]{4}){1,6}(?:\1[A-Za-z0-9]{1,4})?/gu;

/**
 * The IBAN at the front of a grouped match: its first `ibanLength` letters and digits, if they end a group
 * and pass mod-97. A dash binds what it joins into one token (ABC-DE89-…, …-00-7 are other ids), so a dashed
 * IBAN may not be glued by a dash to a letter or digit on either side; a space-grouped one may not end inside
 * a word.
 */
function groupedSpan(text: string, start: number, printed: string, separator: string): PiiSpan | undefined {
  const expected = ibanLength(printed.slice(0, 2));
  if (expected === undefined) return undefined;
  if (separator === '-' && /[\p{L}\p{N}]-$/u.test(text.slice(Math.max(0, start - 2), start)))
    return undefined;
  let compactLength = 0;
  for (let index = 0; index < printed.length; index += 1) {
    if (printed[index] !== separator) compactLength += 1;
    if (compactLength === expected) {
      const end = start + index + 1;
      const after = text.slice(end, end + 2);
      const glued = /^[\p{L}\p{N}]/u.test(after) || (separator === '-' && /^-[\p{L}\p{N}]/u.test(after));
      if (glued || !ibanValid(printed.slice(0, index + 1).replaceAll(separator, ''))) return undefined;
      return { kind: 'IBAN', start, end };
    }
  }
  return undefined;
}

export const detectIbans: Detector = (original) => {
  const text = withPlainSpaces(original);
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(COMPACT)) {
    if (ibanValid(match[0]))
      found.push({ kind: 'IBAN', start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(GROUPED)) {
    const span = groupedSpan(text, match.index, match[0], match[1] ?? ' ');
    if (span) found.push(span);
  }
  return found;
};
