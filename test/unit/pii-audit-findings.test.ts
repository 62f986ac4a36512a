// One test per finding of the PII detectors' audit: each failed before its fix.
import { detectPii, redact } from '../../subgraph/guardrails/pii';
import type { PiiKind } from '../../subgraph/guardrails/pii';
import { detectCards } from '../../subgraph/guardrails/pii/detectors/card';
import { detectEmails } from '../../subgraph/guardrails/pii/detectors/email';
import { detectIbans } from '../../subgraph/guardrails/pii/detectors/iban';
import { detectIps } from '../../subgraph/guardrails/pii/detectors/ip';
import { detectNationalIds } from '../../subgraph/guardrails/pii/detectors/national-id';
import { detectPhones } from '../../subgraph/guardrails/pii/detectors/phone';
import { detectSecrets } from '../../subgraph/guardrails/pii/detectors/secret';

const found = (text: string): [PiiKind, string][] =>
  detectPii(text).map((span) => [span.kind, text.slice(span.start, span.end)]);

/** Wall time of one call. The bounds below are correctness bounds (linear vs quadratic), not benchmarks:
 * linear scans of these inputs take a few tens of ms, the quadratic ones took seconds. */
function millis(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

// A base64-like blob: the 64 characters of the alphabet in a scrambled but fixed order.
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Blob = (length: number): string =>
  Array.from({ length }, (_, index) => BASE64[(index * 7919 + (index >> 3)) % 64]).join('');

describe('PII audit findings', () => {
  it('finding 1 (ReDoS): email detection is linear on runs of local-part punctuation and on base64 blobs', () => {
    const blob = `${base64Blob(200_000)}==`;
    detectPii(blob.slice(0, 2000)); // compiled before it is timed
    expect(millis(() => detectPii('*'.repeat(50_000)))).toBeLessThan(500);
    expect(millis(() => detectPii('='.repeat(50_000)))).toBeLessThan(500);
    expect(millis(() => detectPii(blob))).toBeLessThan(1000);
    // Still the same addresses around such runs.
    expect(found(`${'='.repeat(1000)} a@example.com ${'*'.repeat(1000)}`)).toEqual([
      ['EMAIL', 'a@example.com'],
    ]);
  });

  it('finding 1 (ReDoS): no detector is super-linear on 50k of any punctuation, digits, dots or @', () => {
    const detectors = {
      detectCards,
      detectEmails,
      detectIbans,
      detectIps,
      detectNationalIds,
      detectPhones,
      detectSecrets,
    };
    const inputs = [
      ...[...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ 0'].map((char) => char.repeat(50_000)),
      '1 '.repeat(25_000),
      '1.'.repeat(25_000),
      'a@'.repeat(25_000),
      'a.'.repeat(25_000),
      `@${'a.'.repeat(25_000)}1`,
      `password: a${'.'.repeat(50_000)}a`,
      `a@a${'\u0301'.repeat(50_000)}`,
    ];
    const slow: string[] = [];
    for (const input of inputs) {
      for (const [name, detector] of Object.entries(detectors)) {
        const ms = millis(() => detector(input));
        if (ms > 1000) slow.push(`${name} on ${JSON.stringify(input.slice(0, 6))}…: ${ms.toFixed(0)} ms`);
      }
    }
    expect(slow).toEqual([]);
  }, 120_000);

  it('finding 2: a card followed by an expiry, a year or a CVV, or preceded by a reference, is found', () => {
    expect(found('card 4111111111111111 12/25 cvv 123')).toEqual([['CARD', '4111111111111111']]);
    expect(found('4111111111111111 2027')).toEqual([['CARD', '4111111111111111']]);
    expect(found('4111111111111111 123')).toEqual([['CARD', '4111111111111111']]);
    expect(found('Ref 10023 4111111111111111')).toEqual([['CARD', '4111111111111111']]);
    expect(found('Ref 10023 4111 1111 1111 1111 exp')).toEqual([['CARD', '4111 1111 1111 1111']]);
    expect(found('Ref 10023 3782 822463 10005')).toEqual([['CARD', '3782 822463 10005']]);
  });

  it('finding 2: two cards separated by a space are both found', () => {
    expect(found('cards 4111111111111111 5555555555554444')).toEqual([
      ['CARD', '4111111111111111'],
      ['CARD', '5555555555554444'],
    ]);
    expect(found('cards 4111 1111 1111 1111 5555 5555 5555 4444')).toEqual([
      ['CARD', '4111 1111 1111 1111'],
      ['CARD', '5555 5555 5555 4444'],
    ]);
  });

  it('finding 2: a card inside a run of other numbers needs a card layout, and a failed Luhn stays a miss', () => {
    // 1234 5678 9012 3452 passes Luhn, but grouped 5-4-4-3 behind another number it is no printed card.
    expect(found('Ref 10023 12345 6789 0123 452')).toEqual([]);
    expect(found('Ref 10023 4111111111111112 2027')).toEqual([]);
  });

  it('finding 3: no-break, narrow no-break and thin spaces between digit groups', () => {
    for (const space of ['\u00a0', '\u202f', '\u2009']) {
      const card = ['4111', '1111', '1111', '1111'].join(space);
      const iban = ['GB29', 'NWBK', '6016', '1331', '9268', '19'].join(space);
      const phone = ['+44', '20', '7946', '0958'].join(space);
      const nino = ['AB', '12', '34', '56', 'C'].join(space);
      expect(found(`card ${card}, IBAN ${iban}, call ${phone}, NINO ${nino}.`)).toEqual([
        ['CARD', card],
        ['IBAN', iban],
        ['PHONE', phone],
        ['NATIONAL_ID', nino],
      ]);
    }
  });

  it('finding 4: phones written right after a label and its colon', () => {
    expect(found('Tel:+44 20 7946 0958')).toEqual([['PHONE', '+44 20 7946 0958']]);
    expect(found('Phone:+1-415-555-0132')).toEqual([['PHONE', '+1-415-555-0132']]);
    expect(found('Phone:(415) 555-0132')).toEqual([['PHONE', '(415) 555-0132']]);
    expect(found('tel:+14155550132')).toEqual([['PHONE', '+14155550132']]);
    expect(found('Tel.:+49 30 1234567')).toEqual([['PHONE', '+49 30 1234567']]);
    // A colon after a digit is still a time or an address part, not a label.
    expect(found('at 12:30 4155550132, port 10:4155550132')).toEqual([]);
  });

  it('finding 5: emails in decomposed Unicode (NFD) are redacted whole', () => {
    expect(redact('mail mu\u0308ller@example.de').text).toBe('mail ⟦EMAIL_1⟧');
    expect(found('rene\u0301@example.fr')).toEqual([['EMAIL', 'rene\u0301@example.fr']]);
    expect(found('to x@exa\u0308mple.fr now')).toEqual([['EMAIL', 'x@exa\u0308mple.fr']]);
  });

  it('finding 6: reference and customer numbers and amounts are not phones', () => {
    expect(found('Reference 0012345678')).toEqual([]);
    expect(found('Customer no. 0001 2345 6789')).toEqual([]);
    expect(found('+12 500 000 EUR')).toEqual([]);
    expect(found('Budget +33 500 000 EUR, or +44 1 250 000 €')).toEqual([]);
    // +28 is no country's calling code.
    expect(found('code +28 1234 5678')).toEqual([]);
    // The real shapes beside them still are.
    expect(found('Phone: 0044 20 7946 0958, 0490 75 40 81, +1 415 555 0132')).toEqual([
      ['PHONE', '0044 20 7946 0958'],
      ['PHONE', '0490 75 40 81'],
      ['PHONE', '+1 415 555 0132'],
    ]);
  });

  it('finding 6: a dotted quad right after a version label is a version, not an IP address', () => {
    expect(found('firmware version 2.1.0.4')).toEqual([]);
    expect(found('Build: 6.2.9.1, v 10.0.0.1')).toEqual([]);
    expect(found('login from 2.1.0.4 (server 10.0.0.1)')).toEqual([
      ['IP', '2.1.0.4'],
      ['IP', '10.0.0.1'],
    ]);
  });

  it('finding 7: a value given to a password key is a secret whatever its entropy', () => {
    expect(found('password: Xk9#mQ2$vL7!')).toEqual([['SECRET', 'Xk9#mQ2$vL7!']]);
    expect(found('passwd=hunter22 then')).toEqual([['SECRET', 'hunter22']]);
    expect(found('{"pwd": "Summer 2024!", "user": "ana"}')).toEqual([['SECRET', 'Summer 2024!']]);
    // Words, masks, a working directory and a placeholder are no passwords.
    expect(
      found('password: required. password: ******** PWD=/home/app password: correcthorsebatterystaple'),
    ).toEqual([]);
    expect(found('password: ⟦SECRET_1⟧')).toEqual([]);
  });
});
