// API keys, tokens and private keys. Providers' keys carry fixed prefixes so that scanners can find them
// (OpenAI and Anthropic sk-, AWS AKIA/ASIA, GitHub ghp_/github_pat_, Slack xox?-, Stripe sk_live_ and
// whsec_, Google AIza, Hugging Face hf_, npm npm_, SendGrid SG.); JWTs are three base64url parts whose first
// two are JSON objects (eyJ = `{"`); PEM private keys are armored blocks. Past those, a value assigned to a
// key-ish name (api_key=, "token": …, Bearer …) is a secret when it is long and random-looking: Shannon
// entropy separates keys from words and identifiers.
// HTTP Basic credentials (RFC 7617) are base64 of `user-id:password`, short or not: a `Basic` token is one
// when it decodes to text with a colon in it, which a word after "basic" (basic plan, Basic English) is not.
// A password is chosen by a person, short and rarely random, so a value given to a password key (password:,
// passwd=, pwd:, passphrase=) is one whatever its entropy once it looks like a password: six characters or
// more up to the next space (or its closing quote), with a letter and a digit or symbol in it.
import type { Detector, PiiSpan } from '../kinds';
import { detectEmails } from './email';

const PREFIXED = new RegExp(
  [
    String.raw`sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_\-]{20,}`,
    String.raw`(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}`,
    String.raw`gh[pousr]_[A-Za-z0-9]{36,}`,
    String.raw`github_pat_[A-Za-z0-9_]{22,}`,
    String.raw`xox[abposr]-[A-Za-z0-9\-]{10,}`,
    String.raw`(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}`,
    String.raw`AIza[A-Za-z0-9_\-]{35}`,
    String.raw`glpat-[A-Za-z0-9_\-]{20,}`,
    // Hugging Face access tokens: hf_ and 34 letters (alphanumerics taken, in case digits come).
    String.raw`hf_[A-Za-z0-9]{34,}`,
    // Stripe webhook signing secrets: whsec_ and base64 (the dashboard's are 32 alphanumerics).
    String.raw`whsec_[A-Za-z0-9+/]{24,}={0,2}`,
    // npm tokens (GitHub's format): npm_, 30 random base62 characters and a 6-character base62 CRC32.
    String.raw`npm_[A-Za-z0-9]{36}`,
    // SendGrid API keys: SG., a 22-character key id, a dot and a 43-character secret, both base64url.
    String.raw`SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}`,
    String.raw`eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`,
  ]
    .map((pattern) => `(?<![A-Za-z0-9_\\-])${pattern}(?![A-Za-z0-9_\\-])`)
    .join('|'),
  'g',
);

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

// A key-ish name, a `:` or `=` (quotes allowed around both), then the value (group 1); or `Bearer <token>`.
const ASSIGNED =
  /(?:(?:api[_-]?key|apikey|secret|client[_-]?secret|access[_-]?key|private[_-]?key|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|password|passwd|pwd)["']?\s*[:=]\s*["']?|\bBearer\s+)([A-Za-z0-9_\-+/=.~]{16,})/gi;

// `Basic <base64>` (the scheme name is case-insensitive, RFC 7235), the token in group 1: the text has to say
// whether it is one (basicCredentials). The token is taken whole, padding and all, so it is decoded whole.
const BASIC = /\bBasic\s+([A-Za-z0-9+/]+={0,2})(?![A-Za-z0-9+/=_-])/gi;

// The key, a `:` or `=` (quotes allowed around the key), then the value: quoted (group 1 or 2, spaces allowed
// inside) or bare up to the next space (group 3).
const PASSWORD =
  /(?:password|passwd|passphrase|pwd)["']?\s*[:=]\s*(?:"([^"\n]{6,128})"|'([^'\n]{6,128})'|([^\s"']{6,}))/gi;

// A URL: a scheme (RFC 3986: a letter, then letters, digits, + . -) and `://`, or a scheme-only form like mailto:.
const URL_SCHEME = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|mailto:)/i;

/** The whole value is one email address. */
const isEmailAddress = (value: string): boolean =>
  detectEmails(value).some((span) => span.start === 0 && span.end === value.length);

/**
 * A password, not a word, a masked value (********), a working directory (PWD=/home/app), a link (Reset your
 * password: https://…), an email address (the email detector's to find) or a placeholder a redaction already
 * put there (⟦SECRET_1⟧).
 */
function looksLikePassword(value: string): boolean {
  // Trailing sentence punctuation is the sentence's (password: required.); it stays in the span all the same.
  // (Trimmed by a loop: a `[…]+$` pattern would rescan a long run of dots from each of its characters.)
  let coreEnd = value.length;
  while (coreEnd > 0 && '.,;:)]}'.includes(value[coreEnd - 1] as string)) coreEnd -= 1;
  const core = value.slice(0, coreEnd);
  return (
    core.length >= 6 &&
    /\p{L}/u.test(core) &&
    /[^\p{L}\s]/u.test(core) &&
    !/^(?:~?\/|[A-Za-z]:\\)/.test(core) &&
    !URL_SCHEME.test(core) &&
    !isEmailAddress(core) &&
    !core.includes('⟦')
  );
}

/**
 * An RFC 7617 credential: well-formed base64 (padded to a multiple of 4, or unpadded and not one character
 * past a block of 4) that decodes to UTF-8 text without control characters and with the colon between user-id
 * and password. Eight characters (six bytes, `user:pw`) at least: a short word after "basic" decodes to a
 * colon now and then (One, Only → `:w…`), a longer one to bytes that are no UTF-8 text.
 */
function basicCredentials(token: string): boolean {
  const body = token.replace(/=+$/, '');
  const padded = body.length !== token.length;
  if (body.length < 8 || body.length % 4 === 1 || (padded && token.length % 4 !== 0)) return false;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body, 'base64'));
  } catch {
    return false;
  }
  return decoded.includes(':') && !/\p{Cc}/u.test(decoded);
}

/** Bits per character of the value's own character distribution: random keys ≥ 3.5, English words ≤ 3. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Random-looking: high entropy, and both letters and digits (identifiers like some_long_name have none). */
const looksRandom = (value: string): boolean =>
  entropy(value) >= 3.5 && /[A-Za-z]/.test(value) && /\d/.test(value);

export const detectSecrets: Detector = (text) => {
  const found: PiiSpan[] = [];
  for (const match of text.matchAll(PREFIXED)) {
    found.push({ kind: 'SECRET', start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(PRIVATE_KEY)) {
    found.push({ kind: 'SECRET', start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(ASSIGNED)) {
    const value = match[1] ?? '';
    if (!looksRandom(value)) continue;
    const end = match.index + match[0].length;
    found.push({ kind: 'SECRET', start: end - value.length, end });
  }
  for (const match of text.matchAll(BASIC)) {
    const token = match[1] ?? '';
    if (!basicCredentials(token)) continue;
    const end = match.index + match[0].length;
    found.push({ kind: 'SECRET', start: end - token.length, end });
  }
  for (const match of text.matchAll(PASSWORD)) {
    const value = match[1] ?? match[2] ?? match[3] ?? '';
    if (!looksLikePassword(value)) continue;
    // A quoted value ends one character before its match, at the closing quote.
    const end = match.index + match[0].length - (match[3] === undefined ? 1 : 0);
    found.push({ kind: 'SECRET', start: end - value.length, end });
  }
  return found;
};
