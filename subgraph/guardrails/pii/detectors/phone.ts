// Phone numbers, international and national. A number is a run of 7–15 digits (E.164 allows 15) in groups
// split by spaces, dots, dashes or parentheses, with an optional `+`/`00` country prefix, a `(0)` trunk
// mark and an extension (x123, ext. 123). Digit runs that short are everywhere (amounts, ids, dates,
// postcodes), so a candidate counts only when its shape is one only phones have, or a telephony word
// (phone, call, fax, mobile…) stands right before or after it. Any space character may split the groups
// (separators.ts).
import type { Detector, PiiSpan } from '../kinds';
import { withPlainSpaces } from '../separators';

// Groups are digit runs or a parenthesized area code; a separator is required between two digit runs, so
// the match cannot split one run many ways (no backtracking blow-up on long numbers).
const GROUP = String.raw`(?:\(\d{1,5}\)|\d{1,15})`;
const SEPARATOR = String.raw`(?:[ ]?\(0\)[ ]?|[ .\-]|(?<=\)))`;
// Not glued to a word, a decimal, a path or another number; a colon only after a digit or a colon (12:30,
// ::1), not after a label written tight to its number (Tel:+44 …, Phone:(415) …).
const CANDIDATE = new RegExp(
  String.raw`(?<![\w+.\-/]|[\d:]:)(?:\+|00)?${GROUP}(?:${SEPARATOR}${GROUP}){0,6}` +
    String.raw`(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w]|[.\-/:]\d)`,
  'g',
);
const EXTENSION = /[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6}$/;

// Shapes no other number takes. International: `+` or `00`, then 8+ digits. North American: (NXX) NXX-XXXX
// with at least one separator, optionally behind +1, 1 or 001. National trunk: a leading 0, 10+ digits
// in 3+ groups (0490 75 40 81, 07700 063 966, 03.93.92.16.85, (08) 8747 6301).
// A `00` exit code is followed by a country code, never by another 0 (000-12-3456 is no call abroad), and a
// national trunk 0 by an area code, never by another 0 (0001 2345 6789 is a customer number). The exit code
// may be printed as a group of its own (00 49 30 1234567); the country code after it is checked all the same.
const INTERNATIONAL_PLUS = /^\+[1-9]/;
const INTERNATIONAL_00 = /^00 ?[1-9]/;
const NORTH_AMERICAN = /^(?:(?:\+?1|001)[ .-]?)?(?:\([2-9]\d{2}\)[ ]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}$/;
const NATIONAL_TRUNK = /^\(?0[1-9]/;

// ITU-T E.164 country calling codes in service (a prefix code: none is the start of another). After `+` or
// `00` the digits must start with one; +1 (the North American plan) is followed by exactly ten digits, an area
// code first that does not start with 0 or 1. So +12 500 000 or 0012345678 is no number abroad.
const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    '1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 ' +
    '81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 ' +
    '232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 ' +
    '258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 ' +
    '370 371 372 373 374 375 376 377 378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 ' +
    '505 506 507 508 509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 ' +
    '682 683 685 686 687 688 689 690 691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888 960 ' +
    '961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995 996 998'
  ).split(' '),
);

/** The digits after a `+` or `00` (a `(0)` trunk mark left out) form a number in a country's plan. */
function validAbroad(raw: string): boolean {
  const digits = raw
    .replace(/^(?:\+|00)/, '')
    .replace(/\(0\)/, '')
    .replace(/\D/g, '');
  const code = [1, 2, 3].map((length) => digits.slice(0, length)).find((prefix) => COUNTRY_CODES.has(prefix));
  if (code === undefined) return false;
  return code !== '1' || /^[2-9]\d{9}$/.test(digits.slice(1));
}

// An amount: a currency symbol or ISO 4217 code right before or after the number (+12 500 000 EUR, $ 1 250 000).
// A symbol (Unicode Sc) is only ever money. A code is three capitals, and many are also words or abbreviations
// (ALL, TOP, TRY, CAD, PEN, BOB, SOS), so a code marks an amount only when the number is grouped as amounts
// are, in thousands (+33 500 000, 1.250.000), not as phone numbers are (+44 20 7946 0958).
const CURRENCY_CODES = Intl.supportedValuesOf('currency').join('|');
const SYMBOL_BEFORE = /\p{Sc}[ ]?$/u;
const SYMBOL_AFTER = /^[ ]?\p{Sc}/u;
const CODE_BEFORE = new RegExp(String.raw`(?<!\p{L})(?:${CURRENCY_CODES})[ ]?$`, 'u');
const CODE_AFTER = new RegExp(String.raw`^[ ]?(?:${CURRENCY_CODES})(?!\p{L})`, 'u');
const THOUSANDS = /^[+-]?\d{1,3}([ .])\d{3}(?:\1\d{3})*$/;

// Telephony words. Numbers near them are phones even in shapes other numbers share (467 3395, 99 668472).
// Words that also name places or other numbers (office, home, desk; "number", as in "licence number") count
// only as a label: before the number with a colon ("Office: …"), or right after it ("781 1704 office").
const TELEPHONY =
  'phone|phones|telephone|tel|tél|mobile|mob|cell|cellphone|fax|call|calls|called|calling|ring|dial|dialed|' +
  'sms|whatsapp|text me|reach me|reach us|answering|voicemail|hotline|helpline|landline|messages to|' +
  'telefon|telefono|teléfono|téléphone|handy';
const LABELS = 'office|home|work|desk|direct|switchboard|ext|extension|private|business';
const CONTEXT_BEFORE = new RegExp(
  `(?:(?:^|[^\\p{L}])(?:${TELEPHONY})(?:[^\\p{N}]){0,24}|(?:^|[^\\p{L}])(?:${LABELS})\\s*(?:no\\.?|number)?\\s*:\\s*)$`,
  'iu',
);
const CONTEXT_AFTER = new RegExp(`^[^\\p{L}\\p{N}\\n]{0,3}(?:${TELEPHONY}|${LABELS})(?![\\p{L}])`, 'iu');

// A date (2015-12-22, 22.12.2015, 22/12/2015) or a year range (2019-2020) is no phone whatever its context.
const DATE_LIKE =
  /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}|(?:19|20)\d{2}[-](?:19|20)\d{2})$/;

function phoneShape(raw: string, digitCount: number): 'strong' | 'weak' | 'none' {
  if (digitCount < 7 || digitCount > 15 || DATE_LIKE.test(raw)) return 'none';
  if (INTERNATIONAL_PLUS.test(raw) || INTERNATIONAL_00.test(raw)) {
    if (!validAbroad(raw)) return 'none';
    if (raw.startsWith('+')) return digitCount >= 8 ? 'strong' : 'weak';
    if (digitCount >= 10) return 'strong';
  }
  if (NORTH_AMERICAN.test(raw)) return 'strong';
  const groups = raw.split(/[ .\-()]+/).filter(Boolean).length;
  if (NATIONAL_TRUNK.test(raw) && digitCount >= 10 && groups >= 3) return 'strong';
  return 'weak';
}

function hasContext(text: string, start: number, end: number): boolean {
  // The label may sit on the line above ("Phone:\n467 3395"), so the window crosses one line break.
  const before = text.slice(Math.max(0, start - 32), start);
  const after = text.slice(end, end + 16);
  return CONTEXT_BEFORE.test(before) || CONTEXT_AFTER.test(after);
}

/** The currency marker right before or after the number, if any. */
function currencyMarker(text: string, start: number, end: number): 'symbol' | 'code' | undefined {
  const before = text.slice(Math.max(0, start - 4), start);
  const after = text.slice(end, end + 5);
  if (SYMBOL_BEFORE.test(before) || SYMBOL_AFTER.test(after)) return 'symbol';
  if (CODE_BEFORE.test(before) || CODE_AFTER.test(after)) return 'code';
  return undefined;
}

/**
 * A number beside a currency marker is an amount, not a phone, unless a telephony word says phone: the word is
 * the stronger evidence (Mobile: +33 6 12 34 56 78 ALL hours), except against a symbol on a number grouped in
 * thousands, which is money however near a word like call. A code alone counts only on a thousands grouping.
 */
function isAmount(main: string, marker: 'symbol' | 'code', context: boolean): boolean {
  const thousands = THOUSANDS.test(main);
  return marker === 'symbol' ? thousands || !context : thousands && !context;
}

export const detectPhones: Detector = (original) => {
  const text = withPlainSpaces(original);
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const raw = match[0];
    const main = raw.replace(EXTENSION, '');
    const digitCount = main.replace(/\D/g, '').length;
    const shape = phoneShape(main, digitCount);
    if (shape === 'none') continue;
    const start = match.index;
    const end = start + raw.length;
    const context = hasContext(text, start, end);
    const marker = currencyMarker(text, start, end);
    if (marker !== undefined && isAmount(main, marker, context)) continue;
    if (shape === 'strong' || context) found.push({ kind: 'PHONE', start, end });
  }
  return found;
};
