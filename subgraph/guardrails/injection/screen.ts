// The injection screen: a deterministic check of a text (a retrieved chunk at ingest, a user's question at
// ask) for instructions aimed at a model. Rules over a normalized copy of the text find overrides (in several
// languages), task switches, dictated answers, role markers, jailbreaks, prompt-leak requests, tool calls and
// exfiltration; the raw text is read for orders shouted in capitals, hidden characters and encoded blobs,
// whose decoded content is screened again. Pure and synchronous.
import type { ChunkFlagKind } from './chunk-flag-kind';
import { combinedScore } from './combine';
import { DICTATED_OUTPUT_RULES } from './dictated-output-rules';
import { DIRECTIVE_RULES } from './directive-rules';
import { ENCODED_RULES, encodedPayloadFindings } from './encoded-payload';
import { EXFILTRATION_RULES } from './exfiltration-rules';
import type { InjectionFinding } from './finding';
import { concealedFindings, hiddenTextFindings, splitWordFindings } from './hidden-text';
import { JAILBREAK_RULES } from './jailbreak-rules';
import { LEAK_RULES } from './leak-rules';
import { mentionFactors } from './mention';
import { INVISIBLE, normalizeForScreen, originalSpan } from './normalize';
import { OVERRIDE_LANGUAGE_RULES } from './override-languages-rules';
import { OVERRIDE_RULES } from './override-rules';
import { ROLE_RULES } from './role-rules';
import type { ScreenContext, ScreenRule } from './rule';
import { shoutedOrderFindings } from './shouted-order';
import { TASK_SWITCH_RULES } from './task-switch-rules';

export type { ScreenContext } from './rule';
export type { InjectionFinding } from './finding';

/** A text scoring at least this is flagged. */
export const DEFAULT_INJECTION_THRESHOLD = 0.5;
/** Decoded payloads are screened again, to this depth: base64 inside base64 is still read, once. */
const MAX_DEPTH = 2;
/** Longer texts are screened in their first this-many characters: a bound on time per chunk. */
export const MAX_SCREENED_CHARS = 20_000;

export const SCREEN_RULES: readonly ScreenRule[] = [
  ...OVERRIDE_RULES,
  ...OVERRIDE_LANGUAGE_RULES,
  ...TASK_SWITCH_RULES,
  ...DICTATED_OUTPUT_RULES,
  ...DIRECTIVE_RULES,
  ...ROLE_RULES,
  ...JAILBREAK_RULES,
  ...LEAK_RULES,
  ...EXFILTRATION_RULES,
  ...ENCODED_RULES,
];

export interface ScreenOptions {
  context: ScreenContext;
  threshold?: number;
}

export interface ScreenFinding {
  kind: ChunkFlagKind;
  score: number;
  rule: string;
  start?: number;
  end?: number;
}

export interface ScreenResult {
  flagged: boolean;
  score: number;
  findings: ScreenFinding[];
}

function ruleFindings(text: string, context: ScreenContext): InjectionFinding[] {
  const normalized = normalizeForScreen(text);
  const factorAt = mentionFactors(normalized.text, context);
  const findings: InjectionFinding[] = [];
  for (const screenRule of SCREEN_RULES) {
    for (const match of normalized.text.matchAll(screenRule.pattern)) {
      const factor = screenRule.mentionable ? factorAt(match.index) : 1;
      findings.push({
        kind: screenRule.kind,
        rule: screenRule.id,
        score: screenRule.score[context] * factor,
        ...originalSpan(normalized, match.index, match.index + match[0].length),
      });
    }
  }
  return findings;
}

function collect(text: string, context: ScreenContext, depth: number): InjectionFinding[] {
  const bounded = text.length > MAX_SCREENED_CHARS ? text.slice(0, MAX_SCREENED_CHARS) : text;
  const inner = (decoded: string, innerContext: ScreenContext) =>
    depth < MAX_DEPTH ? collect(decoded, innerContext, depth + 1) : [];
  const matched = ruleFindings(bounded, context);
  return [
    ...matched,
    ...concealedFindings(bounded, matched),
    ...splitWordFindings(bounded, matched, INVISIBLE),
    ...shoutedOrderFindings(bounded, context),
    ...hiddenTextFindings(bounded, context, inner),
    ...encodedPayloadFindings(bounded, context, inner),
  ];
}

/** Screens `text` for instructions aimed at a model; `context` says whether it is a document or a question. */
export function screen(text: string, options: ScreenOptions): ScreenResult {
  const findings = collect(text, options.context, 0)
    .filter((finding) => finding.score > 0)
    .sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || b.score - a.score);
  const score = combinedScore(findings);
  return { flagged: score >= (options.threshold ?? DEFAULT_INJECTION_THRESHOLD), score, findings };
}
