// The input rail of `ask`: the question's topic against the tenant's scope, then the injection screen (the
// same screen as documents, in its question context), under the tenant's policy: `block` refuses a flagged
// question, `flag` answers it and counts it, `off` skips the screen. Pure: the optional guard model is
// guard-rail.ts.
import { unreachable } from '../../errors/unreachable';
import type { GuardrailPolicy } from '../../tenancy/tenant-policies';
import { screen } from '../injection/screen';
import type { RailOutcome } from '../rail-outcome';
import { topicVerdict } from './topics';

export type QuestionVerdict =
  { kind: 'pass'; outcomes: RailOutcome[] } | { kind: 'rejected'; outcomes: RailOutcome[]; message: string };

export const OUT_OF_SCOPE_MESSAGE =
  'This question is outside the topics this workspace’s assistant may answer; ask about your documents instead.';
export const INJECTION_BLOCKED_MESSAGE =
  'This question reads as an instruction to the AI rather than a question about your documents, so it was not answered. Rephrase it as a question.';

export function checkQuestion(question: string, policy: GuardrailPolicy): QuestionVerdict {
  const outcomes: RailOutcome[] = [];
  const topic = topicVerdict(question, policy.topics);
  if (!topic.inScope) {
    outcomes.push({ rail: 'topics', outcome: 'rejected', detail: topic.rule });
    return { kind: 'rejected', outcomes, message: OUT_OF_SCOPE_MESSAGE };
  }
  if (policy.topics.allow.length > 0 || policy.topics.deny.length > 0) {
    outcomes.push({ rail: 'topics', outcome: 'pass' });
  }
  if (policy.injection === 'off') return { kind: 'pass', outcomes };
  const screened = screen(question, { context: 'question' });
  if (!screened.flagged) {
    outcomes.push({ rail: 'input', outcome: 'pass' });
    return { kind: 'pass', outcomes };
  }
  const kinds = [...new Set(screened.findings.map((finding) => finding.kind))].join(',');
  const detail = `${kinds} score ${screened.score.toFixed(2)}`;
  switch (policy.injection) {
    case 'block':
      outcomes.push({ rail: 'input', outcome: 'rejected', detail });
      return { kind: 'rejected', outcomes, message: INJECTION_BLOCKED_MESSAGE };
    case 'flag':
      outcomes.push({ rail: 'input', outcome: 'flagged', detail });
      return { kind: 'pass', outcomes };
    default:
      return unreachable(policy.injection);
  }
}
