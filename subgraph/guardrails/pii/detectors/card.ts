// Payment card numbers (PANs): 13–19 digits, printed bare or in groups split by spaces, dashes or dots, that
// pass Luhn and start with a payment industry digit. ISO/IEC 7812 gives 1–6 to airlines, travel, banking and
// merchandising, so a run starting with 0, 7, 8 or 9 (trunk-prefixed phone numbers, many ids) is no card.
// Maestro alone issues 12-digit numbers, so 12 digits pass only in its ranges (50, 56–69, as Braintree's
// credit-card-type lists them).
import { luhnValid } from '../luhn';
import type { Detector, PiiSpan } from '../kinds';
import { withPlainSpaces } from '../separators';

// A run of digit groups split by single spaces, dashes or dots. A card may sit anywhere in it, whole groups
// only: a reference in front (`Ref 10023 4111…`), an expiry, a year or a CVV behind, another card after a
// space.
const RUN = /\d+(?:[ .-]\d+)*/g;
// A dash or a dot binds the groups beside it into one number (an id, a decimal amount, a version, an IP
// address, a dotted date): a card printed with one is the whole chain those separators make, never a piece.
const BINDS = new Set(['-', '.']);
// A run glued to a word, a decimal or list number, a `+` (a phone) or a dash (an id like ABC-1234) on its
// left, or to a word, a decimal part or a dash and more on its right (`39258173-4070-4843-a0a4-…`, the front
// of a UUID) is part of something else: no card starts or ends at that edge.
const GLUED_BEFORE = /[\w.,+-]/;
const GLUED_AFTER = /^(?:\w|[.,]\d|-\w)/;
const MAESTRO_12 = /^(?:50|5[6-9]|6)/;
/** A card has at most five groups (4-4-4-4-3 for 19 digits): every group but the last holds four or more. */
const MAX_GROUPS = 5;
// How the schemes print their numbers (the gaps of Braintree's credit-card-type): fours, the last group
// what is left (4-4-4-4, 4-4-4-4-3), or American Express's and Diners Club's 4-6-5 and 4-6-4.
const SCHEME_LAYOUT = /^(?:4 )+[1-4]$|^4 6 [45]$/;
// Dots print a card only as the schemes group it (4111.1111.1111.1111): a dotted number in any other layout
// is a decimal, a version or an address, and its digits may pass Luhn by chance.
const DOT = '.';
// The schemes' issuer prefixes (IIN ranges, as Braintree's credit-card-type lists them): Visa 4, Mastercard
// 51–55 and 2221–2720, American Express 34 and 37, Discover 6011, 644–649 and 65, JCB 35, Diners Club 30, 36
// and 38, UnionPay 62. About three random starts in ten match one.
const ISSUER = /^(?:4|5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[045678]|6011|64[4-9]|65|62)/;
// A word that says card right before or after the run of numbers.
const CARD_WORD_BEFORE =
  /(?:^|[^\p{L}])(?:cards?|credit|debit|visa|master ?card|amex|american express|discover|jcb|diners|union ?pay|maestro|cc|ccn|pan|carte|tarjeta|karte)(?![\p{L}])[^\p{L}\p{N}]{0,16}(?:(?:no|num|number|nr|#)[^\p{L}\p{N}]{0,4})?$/iu;
const CARD_WORD_AFTER =
  /^[^\p{L}\p{N}]{0,4}(?:cards?|credit|debit|visa|master ?card|amex|american express|discover|jcb|diners|union ?pay|maestro)(?![\p{L}])/iu;

function validPan(digits: string): boolean {
  if (!/^[1-6]/.test(digits)) return false;
  const lengthOk =
    (digits.length >= 13 && digits.length <= 19) || (digits.length === 12 && MAESTRO_12.test(digits));
  return lengthOk && luhnValid(digits);
}

interface Group {
  start: number;
  end: number;
  /** The separator before this group ('' for a run's first). */
  before: string;
}

function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const match of run.matchAll(/\d+/g)) {
    const start = offset + match.index;
    groups.push({
      start,
      end: start + match[0].length,
      before: match.index > 0 ? (run[match.index - 1] ?? '') : '',
    });
  }
  return groups;
}

/** Whether the window `first..last` of a run's groups is told apart from the rest of its run (see below). */
function enoughEvidence(
  groups: readonly Group[],
  first: number,
  last: number,
  digits: string,
  cardWord: boolean,
): boolean {
  if (first === last) return true;
  const inside = (groups[first + 1] as Group).before;
  const openBefore = first > 0 && (groups[first] as Group).before === inside;
  const openAfter = last + 1 < groups.length && (groups[last + 1] as Group).before === inside;
  const open = Number(openBefore) + Number(openAfter);
  return open <= Number(ISSUER.test(digits)) + Number(cardWord);
}

/**
 * The cards in one run: every window of whole groups that is a valid PAN, printed with one separator kind and
 * every group but its last at least four long (shorter groups are how phones are printed), the longest first,
 * then the leftmost, none overlapping. A window may not start right after a dash or a dot or end right before
 * one: they bind the groups beside them into one number. A window that starts inside the run (behind a
 * reference or another number) is one bare group or grouped as the schemes print cards: each extra start is
 * another chance for a Luhn check to pass by accident (1 in 10), so the layout has to say card as well. A
 * dotted window is always grouped as the schemes print cards, wherever it starts.
 *
 * Nor may a grouped window be cut out of a longer row of groups printed the same way (2010 2011 2012 …, a
 * table of 4-digit codes) on the text's word alone: the row can be cut in many places and one in ten cuts
 * passes Luhn. Each side where the row goes on with the window's own separator is an open side; a side is
 * closed by the run's edge or by a different separator. A bare group is closed on both sides (its digits are
 * the whole token). Each open side needs one more piece of evidence that this cut is a card: the issuer
 * prefix of a card scheme, a card word beside the run.
 */
function cardsInRun(
  text: string,
  groups: readonly Group[],
  gluedBefore: boolean,
  gluedAfter: boolean,
  cardWord: boolean,
): PiiSpan[] {
  const windows: { first: number; last: number; digits: number }[] = [];
  for (let first = 0; first < groups.length; first += 1) {
    const head = groups[first] as Group;
    if (first === 0 ? gluedBefore : BINDS.has(head.before)) continue;
    let digits = '';
    const layout: number[] = [];
    for (let last = first; last < groups.length && last - first < MAX_GROUPS; last += 1) {
      const group = groups[last] as Group;
      if (last > first && group.before !== (groups[first + 1] as Group).before) break;
      digits += text.slice(group.start, group.end);
      layout.push(group.end - group.start);
      if (digits.length > 19) break;
      const next = groups[last + 1];
      const endOk = next === undefined ? !gluedAfter : !BINDS.has(next.before);
      const schemeLayout = SCHEME_LAYOUT.test(layout.join(' '));
      const dotted = last > first && group.before === DOT;
      const layoutOk = dotted ? schemeLayout : first === 0 || last === first || schemeLayout;
      if (endOk && layoutOk && validPan(digits) && enoughEvidence(groups, first, last, digits, cardWord))
        windows.push({ first, last, digits: digits.length });
      if (group.end - group.start < 4) break;
    }
  }
  windows.sort((a, b) => b.digits - a.digits || a.first - b.first);
  const taken: PiiSpan[] = [];
  const used = new Set<number>();
  for (const window of windows) {
    const indexes = Array.from({ length: window.last - window.first + 1 }, (_, i) => window.first + i);
    if (indexes.some((index) => used.has(index))) continue;
    for (const index of indexes) used.add(index);
    taken.push({
      kind: 'CARD',
      start: (groups[window.first] as Group).start,
      end: (groups[window.last] as Group).end,
    });
  }
  return taken;
}

export const detectCards: Detector = (original) => {
  const text = withPlainSpaces(original);
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(RUN)) {
    // Fewer than 12 characters hold fewer than 12 digits: no card (most runs, in prose or a base64 blob).
    if (match[0].length < 12) continue;
    const start = match.index;
    const end = start + match[0].length;
    const gluedBefore = start > 0 && GLUED_BEFORE.test(text[start - 1] as string);
    const gluedAfter = GLUED_AFTER.test(text.slice(end, end + 2));
    const cardWord =
      CARD_WORD_BEFORE.test(text.slice(Math.max(0, start - 32), start)) ||
      CARD_WORD_AFTER.test(text.slice(end, end + 24));
    found.push(...cardsInRun(text, groupsOf(match[0], start), gluedBefore, gluedAfter, cardWord));
  }
  return found;
};
