import { detectPii } from '../../subgraph/guardrails/pii';
import type { PiiKind } from '../../subgraph/guardrails/pii';

/** Each detected value of `text` with its kind, in order. */
const found = (text: string): [PiiKind, string][] =>
  detectPii(text).map((span) => [span.kind, text.slice(span.start, span.end)]);

describe('PII detectors', () => {
  it('finds emails, including non-ASCII ones, and not a bare @handle', () => {
    expect(found('Write to jane.doe+billing@example.co.uk or élodie@exämple.fr, not @jane.')).toEqual([
      ['EMAIL', 'jane.doe+billing@example.co.uk'],
      ['EMAIL', 'élodie@exämple.fr'],
    ]);
  });

  it('finds card numbers that pass Luhn in bare, spaced and dashed layouts, and leaves a failed check alone', () => {
    expect(found('Paid with 4111 1111 1111 1111, 378282246310005 and 5555-5555-5555-4444.')).toEqual([
      ['CARD', '4111 1111 1111 1111'],
      ['CARD', '378282246310005'],
      ['CARD', '5555-5555-5555-4444'],
    ]);
    expect(found('Order 4111 1111 1111 1112 shipped.')).toEqual([]);
  });

  it('does not take a following expiry year into the card number', () => {
    expect(found('card 4111 1111 1111 1111 2027')).toEqual([['CARD', '4111 1111 1111 1111']]);
  });

  it('does not take the front of a UUID for a card (CI flagged a request id whose 8-4-4 digits pass Luhn)', () => {
    // 3925817340704843 passes the checksum; in a UUID it runs on through a dash into hex, so it is no card.
    expect(found('requestId 39258173-4070-4843-a0a4-953df67a5236 served')).toEqual([]);
    expect(found('card 3925-8173-4070-4843, thanks')).toEqual([['CARD', '3925-8173-4070-4843']]);
  });

  it('takes 12-digit numbers as cards only in Maestro ranges', () => {
    expect(found('Maestro 501864667909 ok')).toEqual([['CARD', '501864667909']]);
    // Luhn-valid, but 12 digits starting with 4 is no card length any scheme issues.
    expect(found('ref 400000000002 ok')).toEqual([]);
  });

  it('finds IBANs by country length and mod-97, compact or grouped, in either case', () => {
    expect(found('To GB29 NWBK 6016 1331 9268 19 and de89370400440532013000 please')).toEqual([
      ['IBAN', 'GB29 NWBK 6016 1331 9268 19'],
      ['IBAN', 'de89370400440532013000'],
    ]);
    expect(found('To GB28 NWBK 6016 1331 9268 19 and DE8937040044053201300 please')).toEqual([]);
  });

  it('finds IPv4 and IPv6 addresses but not versions, OIDs or times', () => {
    expect(found('From 192.168.10.1, 2001:db8::8a2e:370:7334 and ::ffff:10.0.0.1.')).toEqual([
      ['IP', '192.168.10.1'],
      ['IP', '2001:db8::8a2e:370:7334'],
      ['IP', '::ffff:10.0.0.1'],
    ]);
    expect(found('Version v1.2.3.4, OID 1.3.6.1.4.1 at 12:30:45, reading 300.1.2.3')).toEqual([]);
  });

  it('finds phone numbers whose shape only phones have, wherever they stand', () => {
    expect(
      found('Numbers: +44 20 7946 0958, (415) 555-0132 x12, 0490 75 40 81, +46 (0)8 928 571 38.'),
    ).toEqual([
      ['PHONE', '+44 20 7946 0958'],
      ['PHONE', '(415) 555-0132 x12'],
      ['PHONE', '0490 75 40 81'],
      ['PHONE', '+46 (0)8 928 571 38'],
    ]);
  });

  it('takes short ambiguous numbers as phones only beside a telephony word', () => {
    expect(found('Phone:\n467 3395')).toEqual([['PHONE', '467 3395']]);
    expect(found('781 1704 office')).toEqual([['PHONE', '781 1704']]);
    expect(found('Invoice 467 3395 covers 12 seats.')).toEqual([]);
    expect(found('The office is at 17031 2202 Rissik St.')).toEqual([]);
  });

  it('never reads a date as a phone number', () => {
    expect(found('Call me on 2015-12-22 or 22.12.2015.')).toEqual([]);
  });

  it('finds provider keys, JWTs and random values assigned to key-ish names, not ordinary words', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(found(`keys sk-proj-abcDEF1234567890xyzXYZ AKIAIOSFODNN7EXAMPLE ${jwt}`)).toEqual([
      ['SECRET', 'sk-proj-abcDEF1234567890xyzXYZ'],
      ['SECRET', 'AKIAIOSFODNN7EXAMPLE'],
      ['SECRET', jwt],
    ]);
    expect(found('api_key="a8F3kq9ZpL2mX7vR4tY1"')).toEqual([['SECRET', 'a8F3kq9ZpL2mX7vR4tY1']]);
    expect(found('password: correcthorsebatterystaple, token=session_refresh_interval')).toEqual([]);
  });

  it('finds national ids by their issuers’ rules and check characters', () => {
    expect(found('SSN 123-45-6789, NINO AB 12 34 56 C, DNI 12345678Z, CF RSSMRA85T10A562S')).toEqual([
      ['NATIONAL_ID', '123-45-6789'],
      ['NATIONAL_ID', 'AB 12 34 56 C'],
      ['NATIONAL_ID', '12345678Z'],
      ['NATIONAL_ID', 'RSSMRA85T10A562S'],
    ]);
    // Area 666 and 9xx are never issued; the DNI letter and the fiscal code's check letter are wrong.
    expect(found('666-45-6789 912-45-6789 12345678A RSSMRA85T10A562T')).toEqual([]);
  });

  it('keeps one detection per stretch of text, the more specific kind winning', () => {
    // An email whose local part is digits is an email, not a phone number.
    expect(found('mail 4155550132@example.com')).toEqual([['EMAIL', '4155550132@example.com']]);
  });
});
