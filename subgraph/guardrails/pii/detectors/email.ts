// Email addresses: a dot-atom local part, `@`, and a domain of labels ending in an alphabetic TLD (RFC 5322's
// common form; quoted local parts are too rare in prose to be worth their false matches). Letters may be any
// script's, since internationalized addresses (RFC 6531) reach support tickets too.
import type { Detector } from '../kinds';

const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}\p{N}-])/gu;

export const detectEmails: Detector = (text) =>
  [...text.matchAll(EMAIL)].map((match) => ({
    kind: 'EMAIL' as const,
    start: match.index,
    end: match.index + match[0].length,
  }));
