// IBANs, compact (GB29NWBK60161331926819) or printed in groups of four (GB29 NWBK 6016 1331 9268 19), in
// either case: validated by the country's registered length and the mod-97 check, so a product code or
// a reference that merely looks like one is left alone. Any space character may split the groups (a no-break
// space from a word processor): the text is read with them made plain spaces (separators.ts).
import { ibanLength, ibanValid } from '../iban';
import type { Detector, PiiSpan } from '../kinds';
import { withPlainSpaces } from '../separators';

const COMPACT = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}(?![\p{L}\p{N}])/gu;
// The grouped form may run into a following short word ("… 9268 19 and"), so the length decides its end.
const GROUPED = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?/gu;

function groupedSpan(start: number, printed: string): PiiSpan | undefined {
  const expected = ibanLength(printed.slice(0, 2));
  if (expected === undefined) return undefined;
  let compactLength = 0;
  for (let index = 0; index < printed.length; index += 1) {
    if (printed[index] !== ' ') compactLength += 1;
    if (compactLength === expected) {
      const end = index + 1;
      const followedByAlnum = /[\p{L}\p{N}]/u.test(printed[end] ?? '');
      if (followedByAlnum || !ibanValid(printed.slice(0, end).replace(/ /g, ''))) return undefined;
      return { kind: 'IBAN', start, end: start + end };
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
    const span = groupedSpan(match.index, match[0]);
    if (span) found.push(span);
  }
  return found;
};
