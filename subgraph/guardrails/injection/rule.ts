// A screen rule: a pattern over the normalized text (see normalize.ts), the category it signals and how
// strongly, per context. A question is written to the model, so a second-person order in it is expected to
// be aimed at the model; a document is written for people, so the same words there are weaker evidence,
// while words aimed at an AI reading the document are stronger.
import type { ChunkFlagKind } from './chunk-flag-kind';

export type ScreenContext = 'document' | 'question';

export interface ScreenRule {
  /** Stable name, for tests and for counting one rule once however often it matches. */
  id: string;
  kind: ChunkFlagKind;
  pattern: RegExp;
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

export function rule(
  id: string,
  kind: ChunkFlagKind,
  source: string,
  score: Record<ScreenContext, number> | number,
  mentionable = true,
): ScreenRule {
  return {
    id,
    kind,
    pattern: new RegExp(source, 'gu'),
    score: typeof score === 'number' ? { document: score, question: score } : score,
    mentionable,
  };
}
