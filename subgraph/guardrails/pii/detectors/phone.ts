// Phone numbers, international and national. A number is a run of 7–15 digits (E.164 allows 15) in groups
// split by spaces, dots, dashes or parentheses, with an optional `+`/`00` country prefix, a `(0)` trunk
// mark and an extension (x123, ext. 123). Digit runs that short are everywhere (amounts, ids, dates,
// postcodes), so a candidate counts only when its shape is one only phones have, or a telephony word
// (phone, call, fax, mobile…) stands right before or after it.
import type { Detector, PiiSpan } from '../kinds';

// Groups are digit runs or a parenthesized area code; a separator is required between two digit runs, so
// the match cannot split one run many ways (no backtracking blow-up on long numbers).
const GROUP = String.raw`(?:\(\d{1,5}\)|\d{1,15})`;
const SEPARATOR = String.raw`(?:[ ]?\(0\)[ ]?|[ .\-]|(?<=\)))`;
const CANDIDATE = new RegExp(
  String.raw`(?<![\w+.\-/:])(?:\+|00)?${GROUP}(?:${SEPARATOR}${GROUP}){0,6}` +
    String.raw`(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w]|[.\-/:]\d)`,
  'g',
);
const EXTENSION = /[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6}$/;

// Shapes no other number takes. International: `+` or `00`, then 8+ digits. North American: (NXX) NXX-XXXX
// with at least one separator, optionally behind +1, 1 or 001. National trunk: a leading 0, 10+ digits
// in 3+ groups (0490 75 40 81, 07700 063 966, 03.93.92.16.85, (08) 8747 6301).
// A `00` exit code is followed by a country code, never by another 0 (000-12-3456 is no call abroad).
const INTERNATIONAL_PLUS = /^\+[1-9]/;
const INTERNATIONAL_00 = /^00[1-9]/;
const NORTH_AMERICAN = /^(?:(?:\+?1|001)[ .-]?)?(?:\([2-9]\d{2}\)[ ]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}$/;
const NATIONAL_TRUNK = /^\(?0\d/;

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
  if (INTERNATIONAL_PLUS.test(raw)) return digitCount >= 8 ? 'strong' : 'weak';
  if (INTERNATIONAL_00.test(raw) && digitCount >= 10) return 'strong';
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

export const detectPhones: Detector = (text) => {
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const raw = match[0];
    const main = raw.replace(EXTENSION, '');
    const digitCount = main.replace(/\D/g, '').length;
    const shape = phoneShape(main, digitCount);
    if (shape === 'none') continue;
    const start = match.index;
    const end = start + raw.length;
    if (shape === 'strong' || hasContext(text, start, end)) found.push({ kind: 'PHONE', start, end });
  }
  return found;
};
