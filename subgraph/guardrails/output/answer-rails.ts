// The rails on an accepted `ask` reply, run by the feature on every answer (fresh or cached): the
// abstention, citations naming no given passage (dropped), and grounding (each sentence against the passages
// it cites, unsupported ones dropped or the answer rejected by policy). An answer left citing no given
// passage is rejected as not grounded: an Answer always cites what it rests on.
import type { GroundingPassage, GroundingPolicy } from '../grounding';
import { checkAnswer } from '../grounding';
import { citedNumbers } from '../grounding/citation-markers';
import type { RailOutcome } from '../rail-outcome';
import { isAbstention, unknownCitations } from './answer-format';

export type RailedAnswer =
  | { kind: 'answer'; text: string; outcomes: RailOutcome[] }
  | { kind: 'abstained'; outcomes: RailOutcome[] }
  | { kind: 'rejected'; outcomes: RailOutcome[] };

export function railAnswer(
  text: string,
  passages: readonly GroundingPassage[],
  policy: GroundingPolicy,
): RailedAnswer {
  if (isAbstention(text)) return { kind: 'abstained', outcomes: [{ rail: 'grounding', outcome: 'pass' }] };
  const outcomes: RailOutcome[] = [];
  const unknown = unknownCitations(text, passages.length);
  outcomes.push(
    unknown.length > 0
      ? { rail: 'citations', outcome: 'fixed', detail: `${unknown.length} unknown marker(s) dropped` }
      : { rail: 'citations', outcome: 'pass' },
  );
  const checked = checkAnswer(text, passages, policy);
  const reasons = [...new Set(checked.dropped.map((sentence) => sentence.reason))].join(', ');
  const detail = `${checked.dropped.length} unsupported sentence(s) (${reasons}), support ${checked.supportRatio.toFixed(2)}`;
  // What grounding kept must still cite a given passage: dropping the only cited sentence of "A. B [1]."
  // leaves "A." standing, which no citation supports in the Answer. That is as ungrounded as a rejection.
  const given = new Set(passages.map((passage) => passage.index));
  const cites = citedNumbers(checked.text).some((n) => given.has(n));
  if (checked.outcome !== 'rejected' && !cites) {
    const uncited =
      checked.dropped.length > 0 ? `no citation left: ${detail}` : 'the answer cites no given passage';
    outcomes.push({ rail: 'grounding', outcome: 'rejected', detail: uncited });
    return { kind: 'rejected', outcomes };
  }
  switch (checked.outcome) {
    case 'pass':
      outcomes.push({ rail: 'grounding', outcome: 'pass' });
      return { kind: 'answer', text: checked.text, outcomes };
    case 'fixed':
      outcomes.push({ rail: 'grounding', outcome: 'fixed', detail });
      return { kind: 'answer', text: checked.text, outcomes };
    case 'rejected':
      outcomes.push({ rail: 'grounding', outcome: 'rejected', detail });
      return { kind: 'rejected', outcomes };
  }
}
