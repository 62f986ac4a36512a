// Generated cases where the dev set is thin (IBANs, IPs, secrets, national ids, card brands and layouts,
// international phones): values built from each format's own rules with valid checksums, set in sentences
// written here, beside near misses that must stay untouched (a failed checksum, a date, a version, an order
// number). Seeded, so every run scores the same cases.
import { seededRandom } from '../support/corpus';
import type { PiiKind } from '../../subgraph/guardrails/pii';
import type { LabelledSentence } from './score';

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (random: Random, count: number): string =>
  Array.from({ length: count }, () => String(Math.floor(random() * 10))).join('');
const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let index = 0; index < body.length; index += 1) {
    let digit = Number(body[body.length - 1 - index]);
    if (index % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

// Brand prefixes and lengths from the card schemes' published IIN ranges.
const CARD_BRANDS: readonly { prefix: (random: Random) => string; length: number }[] = [
  { prefix: () => '4', length: 16 },
  { prefix: () => '4', length: 13 },
  { prefix: (random) => String(between(random, 51, 55)), length: 16 },
  { prefix: () => '2221', length: 16 },
  { prefix: () => '34', length: 15 },
  { prefix: () => '37', length: 15 },
  { prefix: () => '6011', length: 16 },
  { prefix: () => '3528', length: 16 },
  { prefix: () => '62', length: 19 },
  { prefix: () => '6304', length: 12 },
  { prefix: () => '36', length: 14 },
];

function card(random: Random): string {
  const brand = pick(random, CARD_BRANDS);
  const prefix = brand.prefix(random);
  const body = prefix + digits(random, brand.length - prefix.length - 1);
  const number = body + luhnCheckDigit(body);
  const layout = random();
  if (layout < 0.4 || number.length < 13) return number;
  const separator = layout < 0.75 ? ' ' : '-';
  const groups = number.length === 15 ? [4, 6, 5] : [4, 4, 4, 4, 4].slice(0, Math.ceil(number.length / 4));
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    if (at >= number.length) break;
    parts.push(number.slice(at, at + size));
    at += size;
  }
  return parts.join(separator);
}

const IBAN_COUNTRIES: readonly [string, number][] = [
  ['DE', 22],
  ['FR', 27],
  ['ES', 24],
  ['IT', 27],
  ['NL', 18],
  ['BE', 16],
  ['CH', 21],
  ['PL', 28],
  ['SE', 24],
  ['NO', 15],
  ['GB', 22],
  ['AT', 20],
  ['PT', 25],
  ['IE', 22],
  ['DK', 18],
  ['FI', 18],
];

function mod97(numeric: string): number {
  let remainder = 0;
  for (const char of numeric) remainder = (remainder * 10 + Number(char)) % 97;
  return remainder;
}
const lettersAsDigits = (text: string): string =>
  [...text].map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char)).join('');

function iban(random: Random): string {
  const [country, length] = pick(random, IBAN_COUNTRIES);
  // Some countries' account parts start with a bank code in letters (GB, NL, IE); most are digits.
  const letters = ['GB', 'NL', 'IE'].includes(country) ? 4 : 0;
  const bban =
    Array.from({ length: letters }, () => String.fromCharCode(65 + Math.floor(random() * 26))).join('') +
    digits(random, length - 4 - letters);
  const check = String(98 - mod97(lettersAsDigits(`${bban}${country}00`))).padStart(2, '0');
  const compact = `${country}${check}${bban}`;
  return random() < 0.5 ? compact : (compact.match(/.{1,4}/g) ?? []).join(' ');
}

function ipv4(random: Random): string {
  return [
    between(random, 1, 223),
    between(random, 0, 255),
    between(random, 0, 255),
    between(random, 1, 254),
  ].join('.');
}

function ipv6(random: Random): string {
  const groups = Array.from({ length: 8 }, () => Math.floor(random() * 0x10000).toString(16));
  const form = random();
  if (form < 0.4) return groups.join(':');
  if (form < 0.8) return `${groups.slice(0, 3).join(':')}::${groups[7]}`;
  return `::ffff:${ipv4(random)}`;
}

const NAMES = ['ana', 'li.wei', 'o.brien', 'marta_k', 'j.smith', 'dev-team', 'noreply', 'r.kumar', 'élodie'];
const DOMAINS = ['example.com', 'mail.example.org', 'corp.example.co.uk', 'example.de', 'exämple.fr'];
const email = (random: Random): string =>
  `${pick(random, NAMES)}${between(random, 1, 99)}@${pick(random, DOMAINS)}`;

// International phones per country plan: country code, then the national number in that country's grouping.
const PHONE_FORMATS: readonly ((random: Random) => string)[] = [
  (r) => `+44 20 ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `+49 30 ${digits(r, 8)}`,
  (r) => `+33 6 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  (r) => `+1 (${between(r, 201, 989)}) ${between(r, 200, 999)}-${digits(r, 4)}`,
  (r) => `${between(r, 201, 989)}-${between(r, 200, 999)}-${digits(r, 4)}`,
  (r) => `+81 3-${digits(r, 4)}-${digits(r, 4)}`,
  (r) => `+61 4${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}`,
  (r) => `+91 ${between(r, 70000, 99999)} ${digits(r, 5)}`,
  (r) => `+34 ${between(r, 600, 699)} ${digits(r, 3)} ${digits(r, 3)}`,
  (r) => `0${between(r, 20, 99)} ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `+39 0${between(r, 2, 9)} ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `(${between(r, 201, 989)}) ${between(r, 200, 999)}-${digits(r, 4)} ext. ${digits(r, 3)}`,
];
const phone = (random: Random): string => pick(random, PHONE_FORMATS)(random);

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (random: Random, length: number, alphabet = ALPHANUMERIC): string =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const base64url = (random: Random, length: number) => token(random, length, `${ALPHANUMERIC}-_`);

const SECRET_FORMATS: readonly ((random: Random) => string)[] = [
  (r) => `sk-proj-${base64url(r, 48)}`,
  (r) => `sk-ant-api03-${base64url(r, 40)}`,
  (r) => `AKIA${token(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
  (r) => `ghp_${token(r, 36)}`,
  (r) => `xoxb-${digits(r, 12)}-${token(r, 24)}`,
  (r) => `sk_live_${token(r, 24)}`,
  (r) => `AIza${base64url(r, 35)}`,
  (r) => `eyJhbGciOiJIUzI1NiJ9.eyJ${base64url(r, 30)}.${base64url(r, 43)}`,
];

function ssn(random: Random): string {
  let area = between(random, 1, 899);
  if (area === 666) area = 665;
  return `${String(area).padStart(3, '0')}-${String(between(random, 1, 99)).padStart(2, '0')}-${String(between(random, 1, 9999)).padStart(4, '0')}`;
}

function nino(random: Random): string {
  const first = pick(random, [...'ABCEHJKLMPRSTWXYZ']);
  const second = pick(random, [...'ABCEHJKLMPRSTWXY']);
  const pair = `${first}${second}`;
  const prefix = ['BG', 'GB', 'KN', 'NK', 'NT', 'TN'].includes(pair) ? 'AB' : pair;
  return `${prefix} ${digits(random, 2)} ${digits(random, 2)} ${digits(random, 2)} ${pick(random, [...'ABCD'])}`;
}

function dni(random: Random): string {
  const number = between(random, 10_000_000, 99_999_999);
  return `${number}${'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}`;
}

const nationalId = (random: Random): string => pick(random, [ssn, nino, dni])(random);

const TEMPLATES: Readonly<Record<PiiKind, readonly string[]>> = {
  CARD: [
    'Please charge {} for the renewal.',
    'The refund went to card {}, according to the ledger.',
    'Customer paid with {} (exp 09/27) last Tuesday.',
    'card: {}\ncvv: ***',
  ],
  IBAN: [
    'Wire the deposit to {} before Friday.',
    'Our bank details changed; the new account is {}.',
    'IBAN: {} (BIC on the invoice)',
  ],
  IP: [
    'Logins from {} were blocked after five failures.',
    'The request came from {}, which is outside our allow list.',
    'client_ip={} status=403',
  ],
  EMAIL: ['Send the contract to {} please.', 'Reply-To: {}', 'I wrote to {} twice and got no answer.'],
  PHONE: [
    'You can reach the site manager on {} any weekday.',
    'Tel. {}',
    'For urgent issues ring {} and ask for the duty engineer.',
    'Her direct line is {}.',
  ],
  SECRET: [
    'The deploy failed because {} was revoked.',
    'OPENAI_KEY={}',
    'Authorization: Bearer {}',
    'Someone pasted {} into the public channel.',
  ],
  NATIONAL_ID: [
    'The applicant’s id number is {}.',
    'Identity document: {}',
    'Please confirm {} matches the scanned copy.',
  ],
};

const GENERATORS: Readonly<Record<PiiKind, (random: Random) => string>> = {
  CARD: card,
  IBAN: iban,
  IP: (random) => (random() < 0.6 ? ipv4(random) : ipv6(random)),
  EMAIL: email,
  PHONE: phone,
  SECRET: (random) => pick(random, SECRET_FORMATS)(random),
  NATIONAL_ID: nationalId,
};

function planted(random: Random, kind: PiiKind): LabelledSentence {
  const template = pick(random, TEMPLATES[kind]);
  const value = GENERATORS[kind](random);
  const start = template.indexOf('{}');
  return {
    text: template.replace('{}', value),
    spans: [{ kind, label: `generated ${kind}`, start, end: start + value.length }],
  };
}

// Numbers and tokens that look like PII but are not: each must come through untouched.
const NEAR_MISSES: readonly ((random: Random) => string)[] = [
  (r) => {
    const body = `4${digits(r, 14)}`;
    const wrong = (Number(luhnCheckDigit(body)) + between(r, 1, 9)) % 10;
    return `Order reference ${body}${wrong} was shipped.`;
  },
  (r) => {
    const value = iban(r).replace(/ /g, '');
    const check = Number(value.slice(2, 4));
    return `Account ${value.slice(0, 2)}${String(((check + between(r, 1, 90)) % 97) + 2).padStart(2, '0')}${value.slice(4)} is closed.`;
  },
  (r) =>
    `The meeting moved to ${between(r, 2000, 2030)}-${String(between(r, 1, 12)).padStart(2, '0')}-${String(between(r, 1, 28)).padStart(2, '0')} at 10:30.`,
  (r) =>
    `Upgrade to version ${between(r, 1, 9)}.${between(r, 0, 20)}.${between(r, 0, 40)} before the release.`,
  (r) =>
    `Revenue grew to $${between(r, 1, 999)},${digits(r, 3)},${digits(r, 3)}.${digits(r, 2)} this quarter.`,
  (r) => `Invoice ${digits(r, 8)} covers ${between(r, 2, 40)} seats.`,
  (r) =>
    `The sensor reported ${between(r, 256, 999)}.${between(r, 0, 255)}.${between(r, 0, 255)}.${between(r, 0, 255)} as a raw reading.`,
  (r) =>
    `Ticket ${between(r, 100, 999)}-${digits(r, 3)} was closed on ${between(r, 1, 28)}/${between(r, 1, 12)}/${between(r, 2019, 2025)}.`,
  (r) =>
    `The OID ${between(r, 1, 2)}.${between(r, 1, 9)}.${between(r, 1, 9)}.${between(r, 1, 9)}.${between(r, 1, 9)}.${between(r, 1, 99)} names the attribute.`,
  (r) => `SSN-like but invalid: 000-${digits(r, 2)}-${digits(r, 4)} and 666-${digits(r, 2)}-${digits(r, 4)}.`,
  (r) => `The variable session_token_refresh_interval_seconds is ${between(r, 30, 600)}.`,
  (r) =>
    `Population: ${between(r, 1, 9)} ${digits(r, 3)} ${digits(r, 3)} people in ${between(r, 1990, 2024)}.`,
  (r) =>
    `Part number ${pick(r, ['AB', 'XK', 'TR'])}${digits(r, 2)}${token(r, 12, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')} is discontinued.`,
];

export interface GeneratedSet {
  positives: LabelledSentence[];
  nearMisses: LabelledSentence[];
}

export function generateCases(perKind = 200, nearMisses = 1000, seed = 10): GeneratedSet {
  const random = seededRandom(seed);
  const kinds: PiiKind[] = ['CARD', 'IBAN', 'IP', 'EMAIL', 'PHONE', 'SECRET', 'NATIONAL_ID'];
  return {
    positives: kinds.flatMap((kind) => Array.from({ length: perKind }, () => planted(random, kind))),
    nearMisses: Array.from({ length: nearMisses }, () => ({
      text: pick(random, NEAR_MISSES)(random),
      spans: [],
    })),
  };
}
