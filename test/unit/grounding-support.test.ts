// supportOf: a sentence's content-word overlap with its sources, and the numbers, dates, amounts and names it
// states that no source states. A missing fact is reported whatever the overlap.
import { supportOf } from '../../subgraph/guardrails/grounding';

const REFUNDS =
  'Enterprise customers may request a refund within 30 days of purchase. Refunds are paid to the original ' +
  'card within five business days. The settlement of $5 million was signed on 14 October 2021 by Maria ' +
  'Lopez of Acme Corp in Zürich. Headcount grew to 1,200 people.';

const missingOf = (sentence: string, sources = [REFUNDS]) => supportOf(sentence, sources).missing;

describe('supportOf: overlap', () => {
  it('scores a restatement in the sources own words at 1, inflections included', () => {
    expect(supportOf('Refunds are paid within five business days [1].', [REFUNDS])).toEqual({
      score: 1,
      missing: [],
    });
    expect(supportOf('A customer requested refunds.', [REFUNDS]).score).toBe(1);
  });

  it('scores the share of distinct content words the sources use', () => {
    // content words: refunds, paid, crypto, wallets → two of four
    expect(supportOf('Refunds are paid in crypto wallets.', [REFUNDS]).score).toBeCloseTo(0.5);
  });

  it('scores a sentence about something else near 0, and one with no content word at 1', () => {
    expect(supportOf('Our office dog enjoys long walks.', [REFUNDS]).score).toBeLessThan(0.2);
    expect(supportOf('That is all.', [REFUNDS]).score).toBe(1);
  });

  it('counts derivations sharing most of their start as the same word', () => {
    expect(supportOf('The problem is solvable.', ['The solvability of the problem is known.']).score).toBe(1);
  });
});

describe('supportOf: numbers', () => {
  it('accepts the same value written with separators, without them, or in words', () => {
    expect(missingOf('Headcount grew to 1200.')).toEqual([]);
    expect(missingOf('Headcount grew to one thousand two hundred.')).toEqual([]);
    expect(missingOf('Refunds are paid within 5 business days.')).toEqual([]);
    expect(missingOf('Customers may ask within thirty days.')).toEqual([]);
  });

  it('reports a changed figure, in digits or in words', () => {
    expect(missingOf('Refunds are paid within 7 business days.')).toEqual([{ kind: 'number', text: '7' }]);
    expect(missingOf('Headcount grew to 1,300 people.')).toEqual([{ kind: 'number', text: '1,300' }]);
    expect(missingOf('Customers may ask within sixty days.')).toEqual([{ kind: 'number', text: 'sixty' }]);
  });

  it('accepts a small count of the list the sentence itself gives, and no other count', () => {
    expect(missingOf('Time and space are two resources.', ['Time and space are resources.'])).toEqual([]);
    expect(missingOf('Time and space are three resources.', ['Time and space are resources.'])).toEqual([
      { kind: 'number', text: 'three' },
    ]);
  });

  it('leaves the pronoun "one" alone', () => {
    expect(missingOf('One of the customers asked for a refund.')).toEqual([]);
  });
});

describe('supportOf: dates and amounts', () => {
  it('accepts a date in another format and reports a changed day', () => {
    expect(missingOf('It was signed on October 14, 2021.')).toEqual([]);
    expect(missingOf('It was signed on 2021-10-14.')).toEqual([]);
    expect(missingOf('It was signed on October 15, 2021.')).toEqual([
      { kind: 'date', text: 'October 15, 2021' },
    ]);
    expect(missingOf('It was signed in 2019.')).toEqual([{ kind: 'date', text: '2019' }]);
  });

  it('accepts an amount in another notation and reports a changed currency or value', () => {
    expect(missingOf('The settlement was 5 million dollars.')).toEqual([]);
    expect(missingOf('The settlement was $5m.')).toEqual([]);
    expect(missingOf('The settlement was USD 5,000,000.')).toEqual([]);
    expect(missingOf('The settlement was €5 million.')).toEqual([{ kind: 'amount', text: '€5 million' }]);
    expect(missingOf('The settlement was $6 million.')).toEqual([{ kind: 'amount', text: '$6 million' }]);
  });
});

describe('supportOf: names', () => {
  it('accepts names the sources state, whatever their accents or possessive', () => {
    expect(missingOf("The deal was Maria Lopez's work in Zurich.")).toEqual([]);
  });

  it('reports a name absent from the sources as one multiword name', () => {
    expect(missingOf('The deal was signed by John Lopez of Acme Corp.')).toEqual([
      { kind: 'name', text: 'John Lopez of Acme Corp' },
    ]);
    expect(missingOf('Refunds were approved by Globex.')).toEqual([{ kind: 'name', text: 'Globex' }]);
  });

  it('reports an unknown name opening the sentence, but not an ordinary opening word', () => {
    expect(missingOf('Odo signed the settlement.')).toEqual([{ kind: 'name', text: 'Odo' }]);
    expect(missingOf('Typically, refunds are paid within five business days.')).toEqual([]);
    expect(missingOf('However, refunds are paid within five business days.')).toEqual([]);
    expect(missingOf('Payments reach the original card within five business days.')).toEqual([]);
  });

  it('reports the missing fact even when every other word is supported', () => {
    const support = supportOf('Refunds are paid to the original card within nine business days.', [REFUNDS]);
    expect(support.score).toBe(1);
    expect(support.missing).toEqual([{ kind: 'number', text: 'nine' }]);
  });
});
