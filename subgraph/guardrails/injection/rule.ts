// A screen rule: a pattern over the normalized text (see normalize.ts), the category it signals and how
// strongly, per context. A question is written to the model, so a second-person order in it is expected to
// be aimed at the model; a document is written for people, so the same words there are weaker evidence,
// while words aimed at an AI reading the document are stronger.
import type { ChunkFlagKind } from './chunk-flag-kind';

export type ScreenContext = 'document' | 'question';

/** Where a rule matched: [index, end) in the text it read. */
export interface RuleMatch {
  index: number;
  end: number;
}

export interface ScreenRule {
  /** Stable name, for tests and for counting one rule once however often it matches. */
  id: string;
  kind: ChunkFlagKind;
  /** The rule's matches in `text`, left to right, none overlapping another. */
  matches: (text: string) => Iterable<RuleMatch>;
  score: Readonly<Record<ScreenContext, number>>;
  /**
   * The words can be quoted rather than meant (an article citing "ignore previous instructions"): a match
   * inside quotes or after "such as" counts for less. Markup and encodings are never merely mentioned.
   */
  mentionable: boolean;
}

/** Word edges that know letters beyond ASCII (`\b` does not: "für" would end at "f"). */
export const START = '(?<![\\p{L}\\p{N}])';
export const END = '(?![\\p{L}\\p{N}])';

/** Where an imperative begins: the text's or a line's start, after a sentence's end, or after "please", "now". */
export const IMPERATIVE =
  '(?<=^|[\\n.!?:;"“„«(\\[*>-]\\s*|,\\s*|(?:^|\\s)(?:please|pls|now|and|then|so|just|simply|also|instead|okay|ok|bitte|jetzt|nun|und|dann|einfach|auch|stattdessen)\\s+)';

/** Where a sentence begins: the text's or a line's start, or after a sentence's end (not after "and", "so"). */
export const SENTENCE_START = '(?<=^|[\\n.!?:;]\\s*)';

/** `words` as one alternation group, whole words only. */
export const any = (...words: string[]): string => `(?:${words.join('|')})`;

/** Up to `max` words between two parts of a phrase ("ignore [all of your] previous instructions"). */
export const gap = (max: number): string => `(?:[^\\s.!?\\n]+\\s+){0,${max}}`;

function* patternMatches(pattern: RegExp, text: string): Iterable<RuleMatch> {
  for (const match of text.matchAll(pattern))
    yield { index: match.index, end: match.index + match[0].length };
}

/** A rule that matches where the pattern `source` does. */
export function rule(
  id: string,
  kind: ChunkFlagKind,
  source: string,
  score: Record<ScreenContext, number> | number,
  mentionable = true,
): ScreenRule {
  const pattern = new RegExp(source, 'gu');
  return codeRule(id, kind, (text) => patternMatches(pattern, text), score, mentionable);
}

/**
 * A rule whose matches code finds: for a shape whose one pattern would backtrack over a text super-linearly
 * (see url-query.ts).
 */
export function codeRule(
  id: string,
  kind: ChunkFlagKind,
  matches: (text: string) => Iterable<RuleMatch>,
  score: Record<ScreenContext, number> | number,
  mentionable = true,
): ScreenRule {
  return {
    id,
    kind,
    matches,
    score: typeof score === 'number' ? { document: score, question: score } : score,
    mentionable,
  };
}
