// Use or mention: an article about prompt injection quotes "ignore previous instructions" without meaning
// it. A match inside quotation marks or backticks, announced by "such as", "for example", "phrases like", or
// reported ("phishing mails ask you to send…") counts for less; so does every mentionable match in a document that discusses attacks. An attacker can
// quote too, so the discount lowers a score instead of clearing it.
import type { ScreenContext } from './rule';

const QUOTES = /["“”„«»`]/gu;
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

/** The start of the sentence or line that holds offset `at`. */
function clauseStart(text: string, at: number): number {
  for (let index = at - 1; index >= 0; index -= 1) {
    const char = text[index];
    if (char === '\n' || ((char === '.' || char === '!' || char === '?') && text[index + 1] === ' ')) {
      return index + 1;
    }
  }
  return 0;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

export function isQuotedOrCited(text: string, from: number): boolean {
  const line = text.slice(lineStart(text, from), from);
  if ((line.match(QUOTES)?.length ?? 0) % 2 === 1) return true;
  return CUE.test(text.slice(Math.max(clauseStart(text, from), from - 80), from));
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

/** The factor for a mentionable match at `from` in normalized `text`. */
export function mentionFactor(
  text: string,
  from: number,
  context: ScreenContext,
  attackDiscussion: boolean,
): number {
  const quoted = isQuotedOrCited(text, from) ? QUOTED_FACTOR : 1;
  const meta = context === 'document' && attackDiscussion ? META_FACTOR : 1;
  return quoted * meta;
}
