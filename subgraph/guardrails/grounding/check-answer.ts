// The grounding rail for `ask`: each sentence of the answer is checked against the passages it cites, and
// unsupported sentences are dropped, or the whole answer rejected, by policy. An answer left with too little
// support is rejected either way: the caller then abstains with the passages rather than show it.
import { unreachable } from '../../errors/unreachable';
import { answerSentences } from './answer-sentences';
import type { AnswerSentence } from './answer-sentences';
import { claimFacts } from './claim-facts';
import { indexSources } from './source-index';
import type { SourceIndex } from './source-index';
import { contentForms, supportAgainst } from './support';
import type { MissingFact } from './support';

export type GroundingPolicy = 'drop' | 'reject';

export interface GroundingThresholds {
  /** A sentence whose content-word overlap with its sources is below this is unsupported. */
  minSentenceSupport: number;
  /** The share of claim-making sentences that must be supported; below it the answer is rejected. */
  minSupportRatio: number;
  /**
   * Where a sentence without a marker is checked. `all-passages` (the default): against every passage given,
   * since answers open and close with sentences that restate cited ones, and whether every claim carries a
   * marker is the format rail's question, not grounding's. `unsupported`: such a sentence is dropped.
   */
  uncited: 'all-passages' | 'unsupported';
}

// Overlap of two in five: a sentence restating a passage in other words keeps about half its content words or
// more (the benchmark's paraphrased statements, BENCHMARKS.md: median 0.7, a tail down to 0.4); one sharing
// fewer is about something else. Invented facts are caught by the fact check, not by this threshold.
export const DEFAULT_GROUNDING_THRESHOLDS: GroundingThresholds = {
  minSentenceSupport: 0.4,
  minSupportRatio: 0.5,
  uncited: 'all-passages',
};

/** A passage as the model saw it: `index` is the number its [n] markers use. */
export interface GroundingPassage {
  index: number;
  text: string;
}

export type DropReason = 'missing-fact' | 'low-overlap' | 'uncited' | 'unknown-citation';

export interface DroppedSentence {
  text: string;
  /** The passage numbers the sentence cites (including any that name no given passage). */
  cited: number[];
  score: number;
  missing: MissingFact[];
  reason: DropReason;
}

export interface AnswerCheck {
  outcome: 'pass' | 'fixed' | 'rejected';
  /** The answer without its unsupported sentences (markers and line breaks of the rest as written). */
  text: string;
  dropped: DroppedSentence[];
  /** The share of claim-making sentences found supported; 1 for an answer that makes no claim. */
  supportRatio: number;
}

type Verdict = { supported: true } | { supported: false; dropped: DroppedSentence };

/** A sentence with no content word and no fact ("In short:") claims nothing, so it is neither kept for nor held against the answer. */
function claimsNothing(sentence: string): boolean {
  return contentForms(sentence).length === 0 && claimFacts(sentence).length === 0;
}

function judge(
  sentence: AnswerSentence,
  sources: SourceIndex | undefined,
  thresholds: GroundingThresholds,
): Verdict {
  const unsupported = (reason: DropReason, score = 0, missing: MissingFact[] = []): Verdict => ({
    supported: false,
    dropped: { text: sentence.text, cited: sentence.cited, score, missing, reason },
  });
  if (!sources) return unsupported(sentence.cited.length > 0 ? 'unknown-citation' : 'uncited');
  const { score, missing } = supportAgainst(sentence.text, sources);
  if (missing.length > 0) return unsupported('missing-fact', score, missing);
  if (score < thresholds.minSentenceSupport) return unsupported('low-overlap', score);
  return { supported: true };
}

/** The text with `dropped` spans cut out, and the spaces after each. */
function cut(answer: string, dropped: readonly AnswerSentence[]): string {
  let text = '';
  let position = 0;
  for (const sentence of dropped) {
    text += answer.slice(position, sentence.start);
    position = sentence.end;
    while (answer[position] === ' ' || answer[position] === '\t') position++;
    // A sentence that had a line to itself takes its line break along, leaving no blank line behind.
    if (answer[position] === '\n' && (text === '' || /\n[ \t]*$/.test(text))) position++;
  }
  text += answer.slice(position);
  return text.replace(/[ \t]+$/gm, '').trim();
}

function outcomeOf(
  dropped: number,
  supportRatio: number,
  policy: GroundingPolicy,
  thresholds: GroundingThresholds,
): AnswerCheck['outcome'] {
  if (dropped === 0) return 'pass';
  if (supportRatio < thresholds.minSupportRatio || supportRatio === 0) return 'rejected';
  switch (policy) {
    case 'drop':
      return 'fixed';
    case 'reject':
      return 'rejected';
    default:
      return unreachable(policy);
  }
}

/**
 * Checks `answer` (with [n] markers naming `passages` by their index) sentence by sentence against the passages
 * each cites, under `policy`: `drop` removes unsupported sentences (`fixed`), `reject` rejects the answer
 * for any; both reject an answer whose supported share falls below `thresholds.minSupportRatio`.
 */
export function checkAnswer(
  answer: string,
  passages: readonly GroundingPassage[],
  policy: GroundingPolicy,
  thresholds: GroundingThresholds = DEFAULT_GROUNDING_THRESHOLDS,
): AnswerCheck {
  const byIndex = new Map(passages.map((passage) => [passage.index, passage.text]));
  // Sentences citing the same passages share one index of them.
  const indexes = new Map<string, SourceIndex | undefined>();
  const sourcesFor = (sentence: AnswerSentence): SourceIndex | undefined => {
    const known = sentence.cited.filter((n) => byIndex.has(n));
    const uncited = sentence.cited.length === 0;
    if (uncited && thresholds.uncited === 'unsupported') return undefined;
    const numbers = uncited ? [...byIndex.keys()] : known;
    const key = numbers.sort((a, b) => a - b).join(',');
    if (!indexes.has(key)) {
      indexes.set(
        key,
        numbers.length === 0 ? undefined : indexSources(numbers.map((n) => byIndex.get(n) ?? '')),
      );
    }
    return indexes.get(key);
  };

  const dropped: DroppedSentence[] = [];
  const droppedSpans: AnswerSentence[] = [];
  let claiming = 0;
  for (const sentence of answerSentences(answer)) {
    if (claimsNothing(sentence.text)) continue;
    claiming++;
    const verdict = judge(sentence, sourcesFor(sentence), thresholds);
    if (!verdict.supported) {
      dropped.push(verdict.dropped);
      droppedSpans.push(sentence);
    }
  }
  const supportRatio = claiming === 0 ? 1 : (claiming - dropped.length) / claiming;
  return {
    outcome: outcomeOf(dropped.length, supportRatio, policy, thresholds),
    text: cut(answer, droppedSpans),
    dropped,
    supportRatio,
  };
}
