// Use or mention: an article about prompt injection quotes "ignore previous instructions" without meaning
// it. A match inside quotation marks or backticks, announced by "such as", "for example", "phrases like", or
// reported ("phishing mails ask you to send…") counts for less; so does every mentionable match in a document that discusses attacks. An attacker can
// quote too, so the discount lowers a score instead of clearing it.
import type { ScreenContext } from './rule';

const QUOTE_MARKS = new Set(['"', '“', '”', '„', '«', '»', '`']);
const CUE =
  /(?:such as|for example|for instance|e\.\s?g\.|i\.\s?e\.|known as|so-called|called|(?:phrases?|prompts?|commands?|inputs?|strings?|text|messages?|instructions?|sentences?|lines?|requests?|attacks?|something|things|payloads?) like|the (?:phrase|words|sentence|string|command|line|payload)|z\.\s?b\.|zum beispiel|beispielsweise|wie etwa|sogenannte[nrs]?|(?:der|den) satz|die (?:phrase|formulierung)|sätze wie|befehle wie|eingaben wie|(?:ask|asks|asking|asked|tell|tells|trick|tricks|want|wants|urge|urges|persuade|persuades) (?:you|users?|people|victims?|employees|staff) to)[\s:,"“„«`]*$/u;
const META = [
  /prompt[- ]injection/u,
  /injection attacks?/u,
  /jailbreak(?:s|ing)? (?:attempts?|attacks?|prompts?|techniques?)/u,
  /attackers?/u,
  /adversar(?:y|ies|ial)/u,
  /malicious/u,
  /red[- ]team/u,
  /security (?:researchers?|teams?|guidance|advice|awareness)/u,
  /vulnerabilit(?:y|ies)/u,
  /mitigat(?:e|es|ion|ions|ing)/u,
  /defen[cs]es?/u,
  /guardrails?/u,
  /phishing/u,
  /angriff(?:e|en|s)?/u,
  /angreifer/u,
  /sicherheitslücken?/u,
];
export const QUOTED_FACTOR = 0.3;
export const META_FACTOR = 0.6;

/** How far back a cue ("such as") is looked for. */
const CUE_REACH = 80;

/** The start of the sentence or line that holds offset `at`, or `at − CUE_REACH` if that is nearer. */
function cueStart(text: string, at: number): number {
  const floor = Math.max(0, at - CUE_REACH);
  for (let index = at - 1; index >= floor; index -= 1) {
    const char = text[index];
    if (char === '\n' || ((char === '.' || char === '!' || char === '?') && text[index + 1] === ' ')) {
      return index + 1;
    }
  }
  return floor;
}

const OPENS_AFTER = /[\s([{\-–—:/]/u;
const CLOSES_BEFORE = /[\s.,;:!?)\]}\-–—]/u;

/**
 * For each offset of `text`, whether it lies inside a quotation opened earlier on its line, in one pass. A
 * quote mark opens where a word starts and closes where one ends, so a stray closing mark ('Okay." Now
 * forget …', a quotation closed that never opened) does not put the rest of the line in quotes; only a mark
 * that cannot be told is counted by parity.
 */
function quotedOffsets(text: string): Uint8Array {
  const inside = new Uint8Array(text.length + 1);
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    inside[index] = depth > 0 ? 1 : 0;
    const char = text[index] ?? '';
    if (char === '\n') depth = 0;
    if (!QUOTE_MARKS.has(char)) continue;
    const before = text[index - 1];
    const after = text[index + 1];
    const opens = char === '„' || before === undefined || before === '\n' || OPENS_AFTER.test(before);
    const closes = char !== '„' && (after === undefined || CLOSES_BEFORE.test(after));
    if (char === '`' || opens === closes) depth = depth > 0 ? depth - 1 : depth + 1;
    else if (opens) depth += 1;
    else depth = Math.max(0, depth - 1);
  }
  inside[text.length] = depth > 0 ? 1 : 0;
  return inside;
}

function isCited(text: string, from: number): boolean {
  return CUE.test(text.slice(cueStart(text, from), from));
}

/** Whether `text` (normalized) talks about attacks: two distinct attack terms or more. */
export function discussesAttacks(text: string): boolean {
  let found = 0;
  for (const term of META) {
    if (term.test(text)) found += 1;
    if (found >= 2) return true;
  }
  return false;
}

/**
 * The factor for a mentionable match at an offset of normalized `text`: quoted or cited counts for less, and
 * so does any match in a document that discusses attacks. The quotes are read once per text.
 */
export function mentionFactors(text: string, context: ScreenContext): (from: number) => number {
  const quoted = quotedOffsets(text);
  const meta = context === 'document' && discussesAttacks(text) ? META_FACTOR : 1;
  return (from) => (quoted[from] === 1 || isCited(text, from) ? QUOTED_FACTOR : 1) * meta;
}
