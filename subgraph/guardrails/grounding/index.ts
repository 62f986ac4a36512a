// The grounding rails: deterministic checks of model output against its sources (issue 10, points 1 and 2).
export { checkAnswer, DEFAULT_GROUNDING_THRESHOLDS } from './check-answer';
export type {
  AnswerCheck,
  DropReason,
  DroppedSentence,
  GroundingPassage,
  GroundingPolicy,
  GroundingThresholds,
} from './check-answer';
export { checkSummary } from './check-summary';
export type { SummaryCheck } from './check-summary';
export { DEFAULT_ECHO_OPTIONS, echoesInstructions } from './echoes-instructions';
export type { EchoOptions } from './echoes-instructions';
export { echoWatch } from './echo-watch';
export type { EchoWatch } from './echo-watch';
export { supportOf } from './support';
export type { MissingFact, Support } from './support';
export type { FactKind } from './claim-facts';
