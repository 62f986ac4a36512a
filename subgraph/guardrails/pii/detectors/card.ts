// Payment card numbers (PANs): 13–19 digits, printed bare or in groups split by spaces or dashes, that pass
// Luhn and start with a payment industry digit. ISO/IEC 7812 gives 1–6 to airlines, travel, banking and
// merchandising, so a run starting with 0, 7, 8 or 9 (trunk-prefixed phone numbers, many ids) is no card.
// Maestro alone issues 12-digit numbers, so 12 digits pass only in its ranges (50, 56–69, as Braintree's
// credit-card-type lists them).
import { luhnValid } from '../luhn';
import type { Detector, PiiSpan } from '../kinds';

// Digits, single spaces or dashes between digits; the run may not touch other digits, letters or a `+`, nor
// run on through a dash into letters: `39258173-4070-4843-a0a4-…` is the front of a UUID, not a card.
const CANDIDATE = /(?<![\w.,+-])\d(?:\d|[ -](?=\d)){10,40}(?![\w]|[.,]\d|-\w)/g;
const MAESTRO_12 = /^(?:50|5[6-9]|6)/;

function validPan(digits: string): boolean {
  if (!/^[1-6]/.test(digits)) return false;
  const lengthOk =
    (digits.length >= 13 && digits.length <= 19) || (digits.length === 12 && MAESTRO_12.test(digits));
  return lengthOk && luhnValid(digits);
}

/**
 * The length of the card number at the start of `raw`, or 0. Grouped numbers are printed in groups of at
 * least four (4-4-4-4, 4-6-5), one separator kind throughout; a group list may run on into an expiry date
 * or a count ("… 1111 2025"), so shorter prefixes of whole groups are tried too.
 */
function panLength(raw: string): number {
  if (/^\d+$/.test(raw)) return validPan(raw) ? raw.length : 0;
  const separator = /[ -]/.exec(raw)?.[0] ?? ' ';
  const groups = raw.split(separator);
  if (groups.some((group) => !/^\d+$/.test(group))) return 0;
  for (let count = groups.length; count >= 2; count -= 1) {
    const taken = groups.slice(0, count);
    // Every group but a trailing remainder is at least four long: shorter groups are how phones are printed.
    if (taken.slice(0, -1).some((group) => group.length < 4)) continue;
    if (validPan(taken.join(''))) return taken.join(separator).length;
  }
  return 0;
}

export const detectCards: Detector = (text) => {
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const length = panLength(match[0]);
    if (length > 0) found.push({ kind: 'CARD', start: match.index, end: match.index + length });
  }
  return found;
};
