// Per-kind recall and precision of the redactor on labelled sentences. A labelled value is caught when one
// detection of its kind covers it whole (a half-replaced card still leaks); a detection is right when it
// overlaps a labelled value of its own kind.
import { PII_KINDS, detectPii } from '../../subgraph/guardrails/pii';
import type { PiiKind, PiiSpan } from '../../subgraph/guardrails/pii';

export interface LabelledSpan {
  /** The redactor's kind for this label, or undefined for types it does not look for (names, addresses). */
  kind: PiiKind | undefined;
  label: string;
  start: number;
  end: number;
}

export interface LabelledSentence {
  text: string;
  spans: LabelledSpan[];
}

export interface KindScore {
  kind: PiiKind;
  labelled: number;
  caught: number;
  detected: number;
  correct: number;
  /** A few misses and false detections, quoted, for the report's reader to judge. */
  misses: string[];
  falseDetections: string[];
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

export function scoreSentences(sentences: readonly LabelledSentence[]): Map<PiiKind, KindScore> {
  const scores = new Map<PiiKind, KindScore>(
    PII_KINDS.map((kind) => [
      kind,
      { kind, labelled: 0, caught: 0, detected: 0, correct: 0, misses: [], falseDetections: [] },
    ]),
  );
  const scoreOf = (kind: PiiKind) => scores.get(kind) as KindScore;
  for (const { text, spans } of sentences) {
    const found: PiiSpan[] = detectPii(text);
    for (const span of spans) {
      if (span.kind === undefined) continue;
      const score = scoreOf(span.kind);
      score.labelled += 1;
      if (found.some((d) => d.kind === span.kind && d.start <= span.start && d.end >= span.end))
        score.caught += 1;
      else score.misses.push(JSON.stringify(text.slice(span.start, span.end)));
    }
    for (const detection of found) {
      const score = scoreOf(detection.kind);
      score.detected += 1;
      if (spans.some((span) => span.kind === detection.kind && overlaps(span, detection))) score.correct += 1;
      else {
        const label = spans.find((span) => overlaps(span, detection))?.label ?? 'nothing';
        score.falseDetections.push(
          `${JSON.stringify(text.slice(detection.start, detection.end))} (${label})`,
        );
      }
    }
  }
  return scores;
}
