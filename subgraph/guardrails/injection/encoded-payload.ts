// ENCODED_PAYLOAD: instructions carried as base64 or hex, so that a word filter sees only a blob while a
// model decodes them readily. Every long blob is decoded, however many there are; those that yield readable
// text are screened like the text around them, and each is flagged when what it says is instruction-like.
// Hashes, keys and images decode to bytes, not text, and pass.
import { combinedScore } from './combine';
import { rule, START } from './rule';
import type { InjectionFinding, InnerScreen } from './finding';
import type { ScreenContext } from './rule';

const BASE64 =
  /(?<![A-Za-z0-9+/_-])(?:[A-Za-z0-9+/]{20,}={0,2}|[A-Za-z0-9_-]{20,}={0,2})(?![A-Za-z0-9+/_=-])/g;
const HEX =
  /(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}){12,}(?![0-9a-fA-F])|(?:[0-9a-fA-F]{2}[ :]){11,}[0-9a-fA-F]{2}|(?:\\x[0-9a-fA-F]{2}){8,}/g;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Concealment adds to what the decoded text says: the writer chose to hide it. */
const CONCEALMENT_BONUS = 0.2;
/** Decoded text that reads as at least this suspicious is reported. */
const DECODED_FLOOR = 0.3;

/** `bytes` as text when they are valid UTF-8 and nearly all printable, with a few words; otherwise undefined. */
export function readableText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const printable = text.match(/[\p{L}\p{N}\p{P}\p{Zs}\n\r\t$+<=>^`|~]/gu)?.length ?? 0;
  const words = text.match(/\p{L}{2,}/gu)?.length ?? 0;
  return printable / [...text].length >= 0.9 && words >= 2 ? text : undefined;
}

function decodeHex(blob: string): Uint8Array {
  const digits = blob.replace(/\\x|[ :]/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function decodeBase64(blob: string): Uint8Array {
  return Buffer.from(blob.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

interface Blob {
  start: number;
  end: number;
  bytes: Uint8Array;
}

function blobs(text: string): Blob[] {
  const hex = [...text.matchAll(HEX)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    bytes: decodeHex(match[0]),
  }));
  const found: Blob[] = [...hex];
  // A hex run is also valid base64; it was read as hex above. Both lists run in text order: one pass.
  let next = 0;
  for (const match of text.matchAll(BASE64)) {
    const start = match.index;
    while (next < hex.length && (hex[next]?.end ?? 0) <= start) next += 1;
    const within = hex[next];
    if (within !== undefined && start >= within.start && start < within.end) continue;
    found.push({ start, end: start + match[0].length, bytes: decodeBase64(match[0]) });
  }
  return found;
}

/** The index of the part whose decoded text holds offset `at` (or precedes it, on a separator). */
function partAt(parts: readonly { to: number }[], at: number): number {
  let low = 0;
  let high = parts.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (at < (parts[middle]?.to ?? 0)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Between decoded texts screened together: a paragraph break, which no rule reads across as one sentence. */
const SEPARATOR = '\n\n';

/**
 * Every blob is decoded, whatever their number: decoding is linear in the text, and a cap on the blobs read
 * would let decoys placed first hide the one that matters. The readable ones are screened together, as one
 * text, so the cost stays that of screening the decoded bytes once; each finding counts for the blob it lies in.
 */
export function encodedPayloadFindings(
  text: string,
  context: ScreenContext,
  inner: InnerScreen,
): InjectionFinding[] {
  const readable: { blob: Blob; at: number; to: number }[] = [];
  const parts: string[] = [];
  let length = 0;
  for (const blob of blobs(text)) {
    const decoded = readableText(blob.bytes);
    if (decoded === undefined) continue;
    if (parts.length > 0) {
      parts.push(SEPARATOR);
      length += SEPARATOR.length;
    }
    readable.push({ blob, at: length, to: length + decoded.length });
    parts.push(decoded);
    length += decoded.length;
  }
  if (readable.length === 0) return [];
  const said = readable.map((): InjectionFinding[] => []);
  for (const found of inner(parts.join(''), context)) {
    said[partAt(readable, found.start ?? 0)]?.push(found);
  }
  const findings: InjectionFinding[] = [];
  readable.forEach(({ blob }, index) => {
    const score = combinedScore(said[index] ?? []);
    if (score < DECODED_FLOOR) return;
    findings.push({
      kind: 'ENCODED_PAYLOAD',
      rule: 'decoded-instructions',
      score: Math.min(1, score + CONCEALMENT_BONUS),
      start: blob.start,
      end: blob.end,
    });
  });
  return findings;
}

// "Decode this and do what it says": the order to run an encoded payload, whatever the payload holds.
export const ENCODED_RULES = [
  rule(
    'decode-and-obey',
    'ENCODED_PAYLOAD',
    `${START}(?:decode|base64-?decode|unhex|entschlüssele|dekodiere|decodiere)[^.!?\\n]{0,80}?(?:and|then|und|dann) (?:follow|execute|run|obey|do what|carry out|act on|befolge|führe|tu was)`,
    { question: 0.55, document: 0.6 },
  ),
];
