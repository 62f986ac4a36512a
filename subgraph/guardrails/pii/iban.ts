// IBAN validation (ISO 13616): the country's fixed length from the SWIFT IBAN registry, then the ISO 7064
// mod-97-10 check (the account moved behind its country and check digits, letters as 10–35, remainder 1).

/** Total IBAN length per country code, from the SWIFT IBAN registry (one string, so it stays a table). */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 ' +
    'DE22 DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 ' +
    'GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 ' +
    'LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 ' +
    'PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 ' +
    'TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30'
  )
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

export const ibanLength = (country: string): number | undefined => IBAN_LENGTHS.get(country.toUpperCase());

/** mod 97 of the IBAN's numeric form, computed digit by digit so no big integer is needed. */
export function ibanRemainder(compact: string): number {
  const rearranged = (compact.slice(4) + compact.slice(0, 4)).toUpperCase();
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder;
}

/** `compact` (no spaces) is a well-formed IBAN of a registered country with a valid check. */
export function ibanValid(compact: string): boolean {
  if (!/^[A-Za-z]{2}\d{2}[A-Za-z0-9]+$/.test(compact)) return false;
  return ibanLength(compact.slice(0, 2)) === compact.length && ibanRemainder(compact) === 1;
}
