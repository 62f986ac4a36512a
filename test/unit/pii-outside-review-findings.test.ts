// One test per finding of the outside review of the PII redactor: each value passed `redact` unredacted, and
// each test failed before its fix. The look-alikes beside them must stay untouched.
import { detectPii, redact } from '../../subgraph/guardrails/pii';
import type { PiiKind } from '../../subgraph/guardrails/pii';
import { detectCards } from '../../subgraph/guardrails/pii/detectors/card';
import { detectIbans } from '../../subgraph/guardrails/pii/detectors/iban';
import { detectSecrets } from '../../subgraph/guardrails/pii/detectors/secret';

const found = (text: string): [PiiKind, string][] =>
  detectPii(text).map((span) => [span.kind, text.slice(span.start, span.end)]);

const cards = (text: string): string[] => detectCards(text).map((span) => text.slice(span.start, span.end));

// Provider tokens are put together here, not written out whole, so secret scanners leave this file alone.
const token = (prefix: string, body: string): string => `${prefix}${body}`;
const LETTERS = 'aBcDeFgHiJkLmNoPqRsTuVwXyZ';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('PII outside review findings', () => {
  it('finding 1: an outside review found HTTP Basic credentials passed unredacted', () => {
    expect(redact('Authorization: Basic YWRtaW46c2VjcmV0LXBhc3N3b3Jk').text).toBe(
      'Authorization: Basic ⟦SECRET_1⟧',
    );
    // Any user-id:password, padded or not, whatever the case of the scheme name or the header.
    const credentials = base64('ana.perez@example.com:Summer 2024!');
    expect(found(`curl -H "authorization: basic ${credentials}" https://api`)).toEqual([
      ['SECRET', credentials],
    ]);
    expect(found(`Proxy-Authorization: Basic ${base64('svc:x7Kq')}`)).toEqual([
      ['SECRET', base64('svc:x7Kq')],
    ]);
  });

  it('finding 1: "basic" before a word, a realm or base64 of no user:password is no credential', () => {
    expect(detectSecrets('Basic plan, basic One, Basic Only, Basic English, basic authentication')).toEqual(
      [],
    );
    expect(detectSecrets('WWW-Authenticate: Basic realm="staging", charset="UTF-8"')).toEqual([]);
    // base64 of text with no colon (admin), of binary, and malformed base64 (stray length, broken padding).
    expect(detectSecrets(`Authorization: Basic ${base64('administrator')}`)).toEqual([]);
    expect(detectSecrets('Authorization: Basic /w8A/w8A/w8A/w8A')).toEqual([]);
    expect(detectSecrets('Authorization: Basic YWRtaW46c2VjcmV0L')).toEqual([]);
    expect(detectSecrets('Authorization: Basic YWRtaW46c2VjcmV0LXA==')).toEqual([]);
  });

  it('finding 2: an outside review found Hugging Face, Stripe webhook, npm and SendGrid tokens passed unredacted', () => {
    const huggingFace = token('hf_', `${LETTERS}QwErTyUi`);
    const webhook = token('whsec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const webhookSvix = token('whsec_', 'C2FVsBQIhrscChlQIMV+b5sSYspob7oD');
    const npm = token('npm_', `${LETTERS}0123456789`);
    const sendGrid = token('SG.', 'slEPQhoGSdSjiy1sXXl94Q.xzKsq_jte-ajHFJgBltwdaZCf99H2fjBQ41eNHLt79g');
    for (const value of [huggingFace, webhook, webhookSvix, npm, sendGrid]) {
      expect(redact(`key ${value} here`).text).toBe('key ⟦SECRET_1⟧ here');
      expect(found(`"${value}"`)).toEqual([['SECRET', value]]);
    }
  });

  it('finding 2: identifiers and placeholders with those prefixes, or of the wrong length, are no tokens', () => {
    const text = [
      'hf_hub_download hf_transfer HF_TOKEN=<your token>',
      token('hf_', LETTERS), // 26, not 34
      'npm_config_registry npm_package_version',
      token('npm_', `${LETTERS}012345678`), // 35, not 36
      token('npm_', `${LETTERS}0123456789a`), // 37
      'whsec_... whsec_xxxxxxxx',
      token('SG.', 'slEPQhoGSdSjiy1sXXl94Q.xzKsq_jte'), // a short secret part
      token('my_hf_', `${LETTERS}QwErTyUi`), // glued to a word on the left
    ].join(' ');
    expect(detectSecrets(text)).toEqual([]);
  });

  it('finding 3: an outside review found an IBAN written with dashes passed unredacted', () => {
    expect(redact('Pay to DE89-3704-0044-0532-0130-00 today').text).toBe('Pay to ⟦IBAN_1⟧ today');
    expect(found('IBAN: gb29-nwbk-6016-1331-9268-19.')).toEqual([['IBAN', 'gb29-nwbk-6016-1331-9268-19']]);
    expect(found('FR14-2004-1010-0505-0001-3M02-606 and NO93-8601-1117-947')).toEqual([
      ['IBAN', 'FR14-2004-1010-0505-0001-3M02-606'],
      ['IBAN', 'NO93-8601-1117-947'],
    ]);
    // Spaces still group it.
    expect(found('DE89 3704 0044 0532 0130 00')).toEqual([['IBAN', 'DE89 3704 0044 0532 0130 00']]);
  });

  it('finding 3: a dashed IBAN still needs mod-97, its country length, one separator and its own token', () => {
    const ibans = (text: string): PiiKind[] => detectIbans(text).map((span) => span.kind);
    expect(ibans('DE88-3704-0044-0532-0130-00')).toEqual([]); // check digits wrong
    expect(ibans('DE89-3704-0044-0532-0130-0')).toEqual([]); // 21 of Germany's 22
    expect(ibans('XX89-3704-0044-0532-0130-00')).toEqual([]); // no such country
    expect(ibans('DE89 3704-0044-0532-0130-00')).toEqual([]); // two separators
    expect(ibans('DE89-3704 0044 0532 0130 00')).toEqual([]);
    expect(ibans('DE89-3704-0044-0532-0130-00-17')).toEqual([]); // runs on into a longer id
    expect(ibans('REF-DE89-3704-0044-0532-0130-00')).toEqual([]);
  });

  it('finding 4: an outside review found a card written with dots passed unredacted', () => {
    expect(redact('Card 4111.1111.1111.1111 on file').text).toBe('Card ⟦CARD_1⟧ on file');
    expect(found('4111.1111.1111.1111')).toEqual([['CARD', '4111.1111.1111.1111']]);
    // The schemes' other layouts, and a dotted card behind a reference or before an expiry.
    expect(cards('amex 3782.822463.10005, 6011.0009.9013.9424.')).toEqual([
      '3782.822463.10005',
      '6011.0009.9013.9424',
    ]);
    expect(cards('Ref 10023 5555.5555.5555.4444 exp 12/27')).toEqual(['5555.5555.5555.4444']);
  });

  it('finding 4: versions, IP addresses, amounts, dotted dates and failed Luhn are no dotted cards', () => {
    const lookAlikes = [
      '1.2.3.4',
      '4111.11',
      '2024.01.15',
      '10.0.0.1',
      '192.168.100.200',
      '4111.1111.1111.1112', // fails Luhn
      '4111111111111111.00', // a 16-digit amount with its cents
      '411111111111.1111', // dots where no scheme prints them
      '4111.111111111111',
      '4111.1111 1111.1111', // two separators
      '4111.1111.1111.1111.2027', // one dotted number of 20 digits
      'v4111.1111.1111.1111', // part of a word
      '1.3.6.1.4.1.311.21.8.4111111',
      '15.01.2024 10.30',
      '1.234.567.890,12',
    ];
    for (const value of lookAlikes) expect([value, cards(`seen ${value} here`)]).toEqual([value, []]);
  });
});
