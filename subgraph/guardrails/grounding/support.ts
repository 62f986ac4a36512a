// How well one sentence is supported by its sources: the share of its content words the sources use, and the
// facts it states that the sources do not. A missing fact makes a sentence unsupported whatever its overlap:
// a changed figure or an invented name is the confident-wrong case, and it shares every other word.
import { isStopword } from '../../text/stopwords';
import { tokenize } from '../../text/tokens';
import { isKanaGrammar } from '../../text/cjk';
import { unreachable } from '../../errors/unreachable';
import { claimFacts, withoutMarkers } from './claim-facts';
import type { ClaimFact, FactKind } from './claim-facts';
import type { DateParts } from './dates';
import { isCurrencyWord } from './amounts';
import { isNumberWord } from './number-words';
import { asciiDigits } from './numbers';
import { countsOwnList } from './own-list-count';
import { isCommonOpener } from './sentence-openers';
import {
  amountKey,
  indexSources,
  matchForm,
  sourcesHaveStem,
  sourcesHaveWordWithEnding,
} from './source-index';
import type { SourceIndex } from './source-index';

export interface MissingFact {
  kind: FactKind;
  text: string;
}

export interface Support {
  /** Share (0–1) of the sentence's distinct content words found in the sources; 1 when it has none. */
  score: number;
  /** Facts the sentence states that no source states. */
  missing: MissingFact[];
}

// A name part of four letters or more also matches a source word that is the name with a derivational ending:
// names and their adjectives or demonyms differ by an ending ("Europe" in "European", "Darwin" in
// "Darwinian", "Iraq" in "Iraqi"). Any longer word it merely begins is another word ("Chris" is not in
// "Christmas", nor "Marks" in "marketing"), and a shorter part would match too much ("Al" in "algorithm").
const NAME_PREFIX_MIN = 4;
const NAME_ENDINGS: ReadonlySet<string> = new Set(
  'e s es an ans ian ians ean eans n ns ese ic ics ish ism isms ist ists ite ites i is er ers ern'.split(' '),
);

function nameIsSupported(name: string, index: SourceIndex): boolean {
  return tokenize(name)
    .filter((part) => !isStopword(part))
    .every((part) => {
      const form = matchForm(part);
      return (
        index.stems.has(form) ||
        (form.length >= NAME_PREFIX_MIN && sourcesHaveWordWithEnding(index, form, NAME_ENDINGS))
      );
    });
}

/** Whether the sources state `date`; a slashed date either way round ("03/04/2026"), as either reading. */
function dateIsSupported(date: Extract<ClaimFact, { kind: 'date' }>, index: SourceIndex): boolean {
  return (
    datePartsSupported(date, index) ||
    (date.alternative !== undefined && datePartsSupported(date.alternative, index))
  );
}

function datePartsSupported(date: DateParts, index: SourceIndex): boolean {
  if (date.year !== undefined && !index.numbers.has(Math.abs(date.year))) return false;
  if (date.month === undefined) return true;
  return index.dates.some(
    (source) =>
      source.month === date.month &&
      (date.day === undefined || source.day === date.day) &&
      (date.year === undefined || source.year === undefined || source.year === date.year),
  );
}

/** Whether the sources state `fact`; `undefined` when it turns out to be no fact (a sentence's first word). */
function isSupported(fact: ClaimFact, index: SourceIndex, sentence: string): boolean | undefined {
  switch (fact.kind) {
    case 'amount':
      return [fact.value, ...(fact.alternatives ?? [])].some((value) =>
        index.amounts.has(amountKey(fact.currency, value)),
      );
    case 'date':
      return dateIsSupported(fact, index);
    case 'number':
      // A run that is no one number ("2.4.1") must be in the sources as the same run.
      if (fact.sequence !== undefined) return index.sequences.has(fact.sequence);
      return (
        [fact.value, ...(fact.alternatives ?? [])].some((value) => index.numbers.has(value)) ||
        countsOwnList(sentence, fact.start, fact.end, fact.value)
      );
    case 'name': {
      if (nameIsSupported(fact.text, index)) return true;
      // A first word the sources never use is a name unless it is a word sentences open with: an invented
      // name at the head of a sentence ("Odo commissioned …") is the error this check exists for.
      return fact.atStart && isCommonOpener(fact.text.toLowerCase()) ? undefined : false;
    }
    default:
      return unreachable(fact);
  }
}

/** The sentence's facts that the sources do not state. */
export function missingFacts(sentence: string, index: SourceIndex): MissingFact[] {
  const text = withoutMarkers(sentence);
  const missing: MissingFact[] = [];
  for (const fact of claimFacts(text)) {
    if (isSupported(fact, index, text) === false) missing.push({ kind: fact.kind, text: fact.text });
  }
  return missing;
}

// Figures and currencies are checked as facts, by value; as words they would only count against a figure
// written differently ("5 million dollars" for "$5,000,000").
const isFigure = (token: string) => /^\d/.test(token) || isNumberWord(token) || isCurrencyWord(token);

/**
 * The distinct match forms of the sentence's content words. Chinese, Japanese and Korean words are their
 * bigrams (tokens.ts), Japanese grammar (Hiragana-only bigrams) left out as English stopwords are.
 */
export function contentForms(sentence: string): string[] {
  const forms = new Set<string>();
  for (const token of tokenize(asciiDigits(withoutMarkers(sentence)))) {
    if (!isStopword(token) && !isKanaGrammar(token) && !isFigure(token)) forms.add(matchForm(token));
  }
  return [...forms];
}

export function overlapScore(sentence: string, index: SourceIndex): number {
  const forms = contentForms(sentence);
  if (forms.length === 0) return 1;
  return forms.filter((form) => sourcesHaveStem(index, form)).length / forms.length;
}

export function supportAgainst(sentence: string, index: SourceIndex): Support {
  return { score: overlapScore(sentence, index), missing: missingFacts(sentence, index) };
}

/** How well `sentence` is supported by `sources`: content-word overlap, and the facts none of them states. */
export function supportOf(sentence: string, sources: readonly string[]): Support {
  return supportAgainst(sentence, indexSources(sources));
}
