// National identity numbers whose format or check character rules out most look-alikes. Each entry is a
// pattern plus the issuer's validity rule; ids that are bare digit runs without a check (a Dutch BSN, an
// Indian Aadhaar without context) would flag too many ordinary numbers and are left out on purpose. Any space
// character may split the groups (separators.ts).
import type { Detector, PiiSpan } from '../kinds';
import { withPlainSpaces } from '../separators';

interface NationalId {
  name: string;
  pattern: RegExp;
  valid: (value: string) => boolean;
}

/** US SSN (SSA rules): area not 000, 666 or 900–999; group not 00; serial not 0000. Dashed form only. */
const usSsn: NationalId = {
  name: 'US_SSN',
  pattern: /(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w]|-\d)/g,
  valid: (value) => {
    const [area = '', group = '', serial = ''] = value.split('-');
    return area !== '000' && area !== '666' && !area.startsWith('9') && group !== '00' && serial !== '0000';
  },
};

/** UK National Insurance number (HMRC): two prefix letters (D, F, I, Q, U, V never; O never second; some
 * pairs never issued), six digits, a suffix A–D. Spaces between pairs are how it is usually printed. */
const ukNino: NationalId = {
  name: 'UK_NINO',
  pattern:
    /(?<![\p{L}\p{N}])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\p{L}\p{N}])/giu,
  valid: (value) => !['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(value.slice(0, 2).toUpperCase()),
};

/** Spanish DNI (8 digits) and NIE (X, Y or Z and 7 digits): the letter is the number mod 23 in a fixed table. */
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const spanishDni: NationalId = {
  name: 'ES_DNI',
  pattern: /(?<![\p{L}\p{N}])(?:\d{8}|[XYZ]-?\d{7})-?[A-Z](?![\p{L}\p{N}])/giu,
  valid: (value) => {
    const compact = value.replace(/-/g, '').toUpperCase();
    const number = Number(compact.slice(0, -1).replace(/^[XYZ]/, (letter) => String('XYZ'.indexOf(letter))));
    return DNI_LETTERS[number % 23] === compact.slice(-1);
  },
};

/** Italian codice fiscale: 16 characters, the last a check letter from the other 15 (odd and even positions
 * weighted by two tables). Digits may be swapped for letters (omocodia), so those positions take either. */
const ODD_WEIGHTS = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const codeValue = (char: string): number => (/\d/.test(char) ? Number(char) : char.charCodeAt(0) - 65);
const italianFiscalCode: NationalId = {
  name: 'IT_CODICE_FISCALE',
  pattern:
    /(?<![\p{L}\p{N}])[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z](?![\p{L}\p{N}])/giu,
  valid: (value) => {
    const upper = value.toUpperCase();
    let sum = 0;
    for (let index = 0; index < 15; index += 1) {
      const value = codeValue(upper[index] ?? '');
      // Positions count from 1, so index 0 is the first odd position. Digits 0–9 share the letters A–J's weights.
      sum += index % 2 === 0 ? (ODD_WEIGHTS[value] ?? 0) : value;
    }
    return String.fromCharCode(65 + (sum % 26)) === upper[15];
  },
};

/** French NIR (numéro de sécurité sociale): sex, year, month, department (2A/2B for Corsica), commune, order,
 * then a key of 97 minus the 13-digit number mod 97. */
const frenchNir: NationalId = {
  name: 'FR_NIR',
  pattern:
    /(?<![\p{L}\p{N}])[1-478] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\p{L}\p{N}])/giu,
  valid: (value) => {
    const compact = value.replace(/ /g, '').toUpperCase();
    // Corsica's departments count as 19 (2A) and 18 (2B) in the key.
    const numeric = compact.slice(0, 13).replace('2A', '19').replace('2B', '18');
    return 97 - Number(BigInt(numeric) % 97n) === Number(compact.slice(13));
  },
};

const NATIONAL_IDS: readonly NationalId[] = [usSsn, ukNino, spanishDni, italianFiscalCode, frenchNir];

export const detectNationalIds: Detector = (original) => {
  const text = withPlainSpaces(original);
  const found: PiiSpan[] = [];
  for (const id of NATIONAL_IDS) {
    for (const match of text.matchAll(id.pattern)) {
      if (id.valid(match[0]))
        found.push({ kind: 'NATIONAL_ID', start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
};
