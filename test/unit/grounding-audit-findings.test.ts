// The grounding audit, findings 4 and 5: a scaled figure is compared exactly ("$4.1 million" is $4,100,000),
// and an answer that changes a fact is caught: "one year" for "two years", a sign added to a figure, a name
// made of the starts of source words, a capitalized word that begins like a month read as a date.
import { checkAnswer, checkSummary, supportOf } from '../../subgraph/guardrails/grounding';

const against = (claim: string, source: string) =>
  checkAnswer(`${claim} [1]`, [{ index: 1, text: source }], 'reject').outcome;
const missing = (claim: string, source: string) => supportOf(claim, [source]).missing;

describe('finding 4: grounding rejects a faithful answer due to float rounding', () => {
  it.each([
    ['Revenue was $4.1 million in 2023.', 'Revenue in 2023 was $4,100,000.'],
    ['Revenue was $2.01 billion in 2023.', 'Revenue in 2023 was $2,010,000,000.'],
    ['Costs were €0.3 million.', 'Costs were €300,000.'],
    ['The city has 4.1 million inhabitants.', 'The city has 4,100,000 inhabitants.'],
    ['The fund holds 1.15 trillion dollars.', 'The fund holds $1,150,000,000,000.'],
    ['Revenue in 2023 was $4,100,000.', 'Revenue was $4.1 million in 2023.'],
  ])('passes %j against %j', (claim, source) => {
    expect(against(claim, source)).toBe('pass');
    expect(missing(claim, source)).toEqual([]);
  });

  it('passes a summary that writes the amount scaled', () => {
    expect(checkSummary('Revenue was $4.1 million in 2023.', 'Revenue in 2023 was $4,100,000.')).toEqual({
      outcome: 'pass',
      missing: [],
    });
  });

  it('still rejects a changed figure', () => {
    expect(against('Revenue was $4.2 million in 2023.', 'Revenue in 2023 was $4,100,000.')).toBe('rejected');
    expect(against('Revenue was $2.02 billion in 2023.', 'Revenue in 2023 was $2,010,000,000.')).toBe(
      'rejected',
    );
  });
});

describe('finding 5: grounding accepts invented facts and rejects true ones', () => {
  it('rejects "one year" against "two years", and other quantities of one', () => {
    expect(against('The warranty lasts one year.', 'The warranty lasts two years.')).toBe('rejected');
    expect(missing('The warranty lasts one year.', 'The warranty lasts two years.')).toEqual([
      { kind: 'number', text: 'one' },
    ]);
    expect(against('Prices rose by one percent.', 'Prices rose by three percent.')).toBe('rejected');
    expect(against('The warranty lasts one year.', 'The warranty lasts 1 year.')).toBe('pass');
    expect(against('The warranty lasts one year.', 'The warranty lasts one year from delivery.')).toBe(
      'pass',
    );
  });

  it('still reads "one" as a pronoun or a determiner, not a figure', () => {
    const source = 'Acme is a leading supplier of industrial pumps in Europe.';
    expect(against('Acme is one of the leading suppliers of pumps in Europe.', source)).toBe('pass');
    expect(missing('The one day the plant closed, Acme shipped no pumps.', 'Acme shipped no pumps.')).toEqual(
      [],
    );
  });

  it('rejects a sign the source does not state', () => {
    expect(against('The cold room is kept at -5 °C.', 'The cold room is kept at 5 °C.')).toBe('rejected');
    expect(against('The cold room is kept at −5 °C.', 'The cold room is kept at 5 °C.')).toBe('rejected');
    expect(against('The cold room is kept at -5 °C.', 'The cold room is kept at -5 °C.')).toBe('pass');
    // Prose drops a sign the source writes: the magnitude is stated too.
    expect(against('Margins fell by 5 %.', 'Margin change: -5 %.')).toBe('pass');
  });

  it('reads ranges and codes with a hyphen as figures without a sign', () => {
    expect(against('The plan covers 2019-2021.', 'The plan covers the years 2019 to 2021.')).toBe('pass');
    expect(against('Pages 5-7 list the fees.', 'The fees are on pages 5 to 7.')).toBe('pass');
  });

  it('rejects a name made of the starts of source words', () => {
    const source = 'The contract for the Christmas marketing campaign was signed in November.';
    expect(against('The contract was signed by Chris Marks.', source)).toBe('rejected');
    expect(missing('The contract was signed by Chris Marks.', source)).toEqual([
      { kind: 'name', text: 'Chris Marks' },
    ]);
  });

  it('still matches a name to its adjective or demonym', () => {
    expect(against('Sales grew in Europe.', 'European sales grew by a tenth.')).toBe('pass');
    expect(against('Darwin shaped the field.', 'Darwinian ideas shaped the field.')).toBe('pass');
    expect(against('Sales grew in Iraq.', 'Iraqi sales grew by a tenth.')).toBe('pass');
  });

  it('reads no month in "Marketing" or "Junior"', () => {
    expect(against('We hired 7 Marketing specialists.', 'We hired 7 marketing specialists.')).toBe('pass');
    expect(against('We hired 3 Junior developers.', 'We hired 3 junior developers.')).toBe('pass');
    expect(missing('We hired 7 Marketing specialists.', 'We hired 7 marketing specialists.')).toEqual([]);
    // Month names and their abbreviations still read as dates.
    expect(against('The office opened on 7 Mar 2024.', 'The office opened on 7 March 2024.')).toBe('pass');
    expect(against('The office opened on 7 Mar 2024.', 'The office opened on 7 May 2024.')).toBe('rejected');
  });
});

describe('review of finding 5: "one" in an idiom is no figure', () => {
  const summary = (claim: string, source: string) => checkSummary(claim, source).outcome;

  it.each([
    [
      'At one point, the company reviewed its refund policy.',
      'The company reviewed its refund policy in March.',
    ],
    ['One day, the team met Christina.', 'The team met Christina at the office.'],
    ['One day the team met Christina.', 'The team met Christina at the office.'],
    ['Then one night, the team met Christina.', 'The team met Christina at the office.'],
    ['Acme has one point of contact for refunds.', 'Acme has a single point of contact for refunds.'],
  ])('passes %j against a source that states no 1', (claim, source) => {
    expect(summary(claim, source)).toBe('pass');
    expect(missing(claim, source)).toEqual([]);
  });

  it.each([
    ['The warranty lasts one year.', 'The warranty lasts two years.'],
    ['One year later, the warranty was extended.', 'Two years later, the warranty was extended.'],
    ['One day of training is included.', 'Two days of training are included.'],
    ['A one-year warranty applies.', 'A two-year warranty applies.'],
    ['The plan lapsed after one week, then restarted.', 'The plan lapsed after two weeks, then restarted.'],
  ])('still rejects the measure %j against %j', (claim, source) => {
    expect(summary(claim, source)).toBe('rejected');
    expect(against(claim, source)).toBe('rejected');
  });
});
