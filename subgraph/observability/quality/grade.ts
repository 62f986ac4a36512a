// The quality grader: the guardrails' own checks, run off the request path on what a model replied (before
// the rails dropped or replaced anything), so a model or prompt version that grounds worse, cites passages it
// was not given or abstains more shows in its scores even where the rails caught every bad reply.
import { unreachable } from '../../errors/unreachable';
import { checkAnswer } from '../../guardrails/grounding';
import type { GroundingPassage } from '../../guardrails/grounding';
import { isAbstention, unknownCitations } from '../../guardrails/output/answer-format';
import type { QualityGrade } from './sample-store';
import { citedNumbers } from '../../guardrails/grounding/citation-markers';

export type GradingSubject =
  /** An ask the model replied to: its reply, and the passages it was given, numbered as its [n] name them. */
  | { kind: 'answer'; reply: string; passages: readonly GroundingPassage[] }
  /** A summary the model wrote, and the text it summarized. */
  | { kind: 'summary'; reply: string; source: string }
  /** An ask answered INSUFFICIENT_CONTEXT with no model reply to grade: nothing relevant was found. */
  | { kind: 'abstention' };

export function grade(subject: GradingSubject): QualityGrade {
  switch (subject.kind) {
    case 'answer': {
      const { reply, passages } = subject;
      if (isAbstention(reply)) return { grounding: null, citationsValid: null, abstained: true };
      return {
        // The support share under the rails' thresholds; the policy only decides what the rail does with it.
        grounding: checkAnswer(reply, passages, 'drop').supportRatio,
        // An answer must cite: one with no marker at all has no valid citation either.
        citationsValid:
          citedNumbers(reply).length > 0 && unknownCitations(reply, passages.length).length === 0,
        abstained: false,
      };
    }
    case 'summary':
      // Each sentence against the whole text, as an answer's uncited sentence is against every passage.
      return {
        grounding: checkAnswer(subject.reply, [{ index: 1, text: subject.source }], 'drop').supportRatio,
        citationsValid: null,
        abstained: false,
      };
    case 'abstention':
      return { grounding: null, citationsValid: null, abstained: true };
    default:
      return unreachable(subject);
  }
}
