// The injection screen: a deterministic check of a text (a retrieved chunk at ingest, a user's question at
// ask) for instructions aimed at a model. Rules over a normalized copy of the text find overrides (in several
// languages), task switches, dictated answers, role markers, jailbreaks, prompt-leak requests, tool calls and
// exfiltration; the raw text is read for orders shouted in capitals, hidden characters and encoded blobs,
// whose decoded content is screened again. All of a text is read, however long, in overlapping windows of
// bounded size. Pure and synchronous.
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
import { INVISIBLE, normalizeForScreen, originalSpan, renderedReading } from './normalize';
import type { NormalizedText } from './normalize';
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
/**
 * The whole text is screened, however long, in windows of this many characters: the rules' cost grows
 * faster than linearly with a text's length on some inputs, so each call sees a bounded text, and the
 * total cost stays linear in the length.
 */
export const SCREEN_WINDOW_CHARS = 20_000;
/**
 * Consecutive windows share at least this many characters, more than any rule's match spans, so a phrase
 * that straddles one window's end is whole in the next.
 */
export const SCREEN_WINDOW_OVERLAP = 2_000;
/** A window starts where a word or blob does, if one starts this far back at most (a base64 blob stays whole). */
const TOKEN_REACH = SCREEN_WINDOW_CHARS / 2;

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

function readingFindings(normalized: NormalizedText, context: ScreenContext): InjectionFinding[] {
  const factorAt = mentionFactors(normalized.text, context);
  const findings: InjectionFinding[] = [];
  for (const screenRule of SCREEN_RULES) {
    for (const match of screenRule.matches(normalized.text)) {
      const factor = screenRule.mentionable ? factorAt(match.index) : 1;
      findings.push({
        kind: screenRule.kind,
        rule: screenRule.id,
        score: screenRule.score[context] * factor,
        ...originalSpan(normalized, match.index, match.end),
      });
    }
  }
  return findings;
}

/**
 * The rules' findings over the normalized text and, where it holds markup that renders as nothing, over its
 * rendered reading too.
 */
function ruleFindings(text: string, context: ScreenContext): InjectionFinding[] {
  const normalized = normalizeForScreen(text);
  const rendered = renderedReading(normalized);
  const findings = readingFindings(normalized, context);
  return rendered ? [...findings, ...readingFindings(rendered, context)] : findings;
}

const isWhitespace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d);
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The windows [start, end) that cover `text`: consecutive ones overlap by SCREEN_WINDOW_OVERLAP or more, and
 * each after the first starts at the start of a word or blob when one begins within TOKEN_REACH before.
 * Every window but the last advances the start by at least SCREEN_WINDOW_CHARS / 2 − SCREEN_WINDOW_OVERLAP,
 * so the characters screened are a bounded multiple of the text's.
 */
export function screenWindows(text: string): { start: number; end: number }[] {
  if (text.length <= SCREEN_WINDOW_CHARS) return [{ start: 0, end: text.length }];
  const windows: { start: number; end: number }[] = [];
  let start = 0;
  for (;;) {
    let end = Math.min(text.length, start + SCREEN_WINDOW_CHARS);
    // Never split a surrogate pair: the next window holds the whole character.
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end -= 1;
    windows.push({ start, end });
    if (end >= text.length) return windows;
    const nominal = end - SCREEN_WINDOW_OVERLAP;
    let next = nominal;
    const floor = Math.max(start + 1, nominal - TOKEN_REACH);
    while (next > floor && !isWhitespace(text.charCodeAt(next - 1))) next -= 1;
    if (next === floor && !isWhitespace(text.charCodeAt(next - 1))) next = nominal;
    if (isLowSurrogate(text.charCodeAt(next))) next -= 1;
    start = next;
  }
}

function collectWindow(text: string, context: ScreenContext, depth: number): InjectionFinding[] {
  const inner = (decoded: string, innerContext: ScreenContext) =>
    depth < MAX_DEPTH ? collect(decoded, innerContext, depth + 1) : [];
  const matched = ruleFindings(text, context);
  return [
    ...matched,
    ...concealedFindings(text, matched),
    ...splitWordFindings(text, matched, INVISIBLE),
    ...shoutedOrderFindings(text, context),
    ...hiddenTextFindings(text, context, inner),
    ...encodedPayloadFindings(text, context, inner),
  ];
}

function collect(text: string, context: ScreenContext, depth: number): InjectionFinding[] {
  // Each window's findings, moved to offsets in the whole text; a finding made twice (in two overlapping
  // windows, or in both readings of a text) is kept once.
  const seen = new Map<string, InjectionFinding>();
  for (const window of screenWindows(text)) {
    const part =
      window.start === 0 && window.end === text.length ? text : text.slice(window.start, window.end);
    for (const found of collectWindow(part, context, depth)) {
      const moved: InjectionFinding = {
        ...found,
        ...(found.start === undefined ? {} : { start: found.start + window.start }),
        ...(found.end === undefined ? {} : { end: found.end + window.start }),
      };
      const key = `${moved.rule}\u0000${moved.kind}\u0000${moved.start ?? ''}\u0000${moved.end ?? ''}`;
      const before = seen.get(key);
      if (before === undefined || before.score < moved.score) seen.set(key, moved);
    }
  }
  return [...seen.values()];
}

/** Screens `text` for instructions aimed at a model; `context` says whether it is a document or a question. */
export function screen(text: string, options: ScreenOptions): ScreenResult {
  const findings = collect(text, options.context, 0)
    .filter((finding) => finding.score > 0)
    .sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || b.score - a.score);
  const score = combinedScore(findings);
  return { flagged: score >= (options.threshold ?? DEFAULT_INJECTION_THRESHOLD), score, findings };
}
