// IPv4 and IPv6 addresses, validated by Node's own parser (node:net), so every form it accepts (IPv6 with
// `::`, an embedded IPv4 tail, a zone id) is found and nothing it refuses is. A dotted quad inside a longer
// dotted run (an OID, a version 1.2.3.4.5) is not an address, nor is one glued to letters (v1.2.3.4), nor
// one right after a version label (firmware version 2.1.0.4, build: 6.2.9.1): a four-part version number is
// printed exactly like an IPv4 address, and only its label tells them apart.
import { isIPv4, isIPv6 } from 'node:net';
import type { Detector, PiiSpan } from '../kinds';

const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
// Hex groups and colons with at least two colons, an IPv4 tail tried first (::ffff:192.0.2.1), a zone id
// (%eth0) after. Times (12:30:45) fail isIPv6.
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?:%[\w.]+)?(?![\w:]|\.\d)/g;

// A version label right before the number: the word, then at most a space, a colon or a `#`.
const VERSION_LABEL =
  /(?:^|[^\p{L}])(?:version|ver\.?|v|rev\.?|revision|release|build|firmware)[ :#]{0,3}$/iu;

export const detectIps: Detector = (text) => {
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(IPV4)) {
    if (VERSION_LABEL.test(text.slice(Math.max(0, match.index - 16), match.index))) continue;
    if (isIPv4(match[0])) found.push({ kind: 'IP', start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(IPV6)) {
    // `::` alone (the unspecified address) says nothing about anyone; a match must hold a hex digit.
    if (/[0-9A-Fa-f]/.test(match[0]) && isIPv6(match[0])) {
      found.push({ kind: 'IP', start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
};
