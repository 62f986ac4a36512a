// The facts a sentence states that its sources must state too: money amounts, dates, numbers and names, each
// read once (an amount's digits are not a second, bare number; a date's month is not a name).
import { findAmounts } from './amounts';
import type { AmountMention } from './amounts';
import { findDates } from './dates';
import type { DateMention } from './dates';
import { findNames } from './names';
import type { NameMention } from './names';
import { asciiDigits, findNumbers } from './numbers';
import { withoutMarkers } from './citation-markers';
import type { NumberMention } from './numbers';
import { TakenSpans } from './spans';

export type ClaimFact =
  | ({ kind: 'amount' } & AmountMention)
  | ({ kind: 'date' } & DateMention)
  | ({ kind: 'number' } & NumberMention)
  | ({ kind: 'name' } & NameMention);

export type FactKind = ClaimFact['kind'];

// Citation markers ("[2]", "[1, 2]") are the answer's format, not its claim.
export { CITATION_MARKER, withoutMarkers } from './citation-markers';

/**
 * The facts `sentence` states, in the order amounts, dates, numbers, names. Digits of other scripts are read
 * as digits ("３０"); offsets are those of the sentence without its markers.
 */
export function claimFacts(sentence: string): ClaimFact[] {
  const text = asciiDigits(withoutMarkers(sentence));
  const taken = new TakenSpans();
  return [
    ...findAmounts(text, taken).map((amount) => ({ kind: 'amount' as const, ...amount })),
    ...findDates(text, taken).map((date) => ({ kind: 'date' as const, ...date })),
    ...findNumbers(text, taken, true).map((number) => ({ kind: 'number' as const, ...number })),
    ...findNames(text, taken).map((name) => ({ kind: 'name' as const, ...name })),
  ];
}
