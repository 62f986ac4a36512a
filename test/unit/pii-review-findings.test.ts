// One test per finding of the review of the PII audit's fixes: each failed before its fix.
import { detectPii } from '../../subgraph/guardrails/pii';
import type { PiiKind } from '../../subgraph/guardrails/pii';
import { detectCards } from '../../subgraph/guardrails/pii/detectors/card';
import { seededRandom } from '../support/vectors';

const found = (text: string): [PiiKind, string][] =>
  detectPii(text).map((span) => [span.kind, text.slice(span.start, span.end)]);

describe('PII review findings', () => {
  it('finding 1: a row of years or of 4-digit codes is no card unless a cut of it has more than Luhn for it', () => {
    expect(found('Years 2010 2011 2012 2013 2014 2015 2016 2017 2018 2019 2020 2021 2022 2023 2024')).toEqual(
      [],
    );
    const random = seededRandom(20261207);
    const rows = 500;
    let flagged = 0;
    for (let row = 0; row < rows; row += 1) {
      const codes = Array.from({ length: 8 }, () => String(Math.floor(random() * 10_000)).padStart(4, '0'));
      if (detectCards(`Codes ${codes.join(' ')} end`).length > 0) flagged += 1;
    }
    // Cards only at the row's start flagged about 8% of such rows (22–44 in 500); cards in any cut, about a
    // third (155–177); a cut that needs an issuer prefix for each open side, about 6% (26–39).
    expect(flagged / rows).toBeLessThanOrEqual(0.15);
  });

  it('finding 1: cards still found beside other numbers, by their delimiting, issuer or a card word', () => {
    expect(found('card 4111111111111111 12/25 cvv 123')).toEqual([['CARD', '4111111111111111']]);
    expect(found('4111111111111111 2027')).toEqual([['CARD', '4111111111111111']]);
    expect(found('Ref 10023 4111111111111111')).toEqual([['CARD', '4111111111111111']]);
    expect(found('4111 1111 1111 1111 2027')).toEqual([['CARD', '4111 1111 1111 1111']]);
    expect(found('cards 4111 1111 1111 1111 5555 5555 5555 4444')).toEqual([
      ['CARD', '4111 1111 1111 1111'],
      ['CARD', '5555 5555 5555 4444'],
    ]);
    // A different separator closes a cut: a dashed card behind a spaced reference.
    expect(found('Ref 2010 4111-1111-1111-1111')).toEqual([['CARD', '4111-1111-1111-1111']]);
    // Cut out of the middle of a row: the issuer prefix and a card word together.
    expect(found('card: 1234 4111 1111 1111 1111 5678')).toEqual([['CARD', '4111 1111 1111 1111']]);
    expect(found('ids 1234 4111 1111 1111 1111 5678')).toEqual([]);
    // A run that is the card alone needs nothing more.
    expect(found('1234 5678 9012 3452')).toEqual([['CARD', '1234 5678 9012 3452']]);
  });

  it('finding 2: a telephony word beats a currency code, and a code is money only on a thousands grouping', () => {
    expect(found('Mobile: +33 6 12 34 56 78 ALL hours')).toEqual([['PHONE', '+33 6 12 34 56 78']]);
    expect(found('+44 20 7946 0958 TOP priority')).toEqual([['PHONE', '+44 20 7946 0958']]);
    expect(found('phone +1 415 555 0134 CAD')).toEqual([['PHONE', '+1 415 555 0134']]);
    expect(found('Mobile: +33 612 345 678 TRY later')).toEqual([['PHONE', '+33 612 345 678']]);
    // Amounts stay amounts.
    expect(found('Budget +33 500 000 EUR, or +44 1 250 000 €')).toEqual([]);
    expect(found('Call about the budget: +33 500 000 €')).toEqual([]);
  });

  it('finding 2: a 00 exit code printed as a group of its own', () => {
    expect(found('Contact: 00 49 30 1234567')).toEqual([['PHONE', '00 49 30 1234567']]);
    expect(found('Contact: 00 44 20 7946 0958')).toEqual([['PHONE', '00 44 20 7946 0958']]);
    // Still no country code after it, no call abroad.
    expect(found('Customer no. 00 0123 4567 89, code 00 28 1234 5678')).toEqual([]);
  });

  it('finding 3: a link or an email address after a password key is no password', () => {
    expect(found('Reset your password: https://acme.com/reset-link')).toEqual([]);
    expect(found('password: mailto:help@acme.com')).toEqual([['EMAIL', 'help@acme.com']]);
    expect(found('Forgot password: ana.perez@example.com')).toEqual([['EMAIL', 'ana.perez@example.com']]);
    // Passwords with an @ or a dot in them still are.
    expect(found('password: P@ssw0rd! next')).toEqual([['SECRET', 'P@ssw0rd!']]);
    expect(found('password: hunter2.example')).toEqual([['SECRET', 'hunter2.example']]);
  });
});
