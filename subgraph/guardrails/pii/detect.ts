// Runs every detector over a text and keeps one detection per stretch of text: where two overlap, the kind
// that ranks first (kinds.ts) wins, then the longer one, so each value is replaced whole and once.
import { detectCards } from './detectors/card';
import { detectEmails } from './detectors/email';
import { detectIbans } from './detectors/iban';
import { detectIps } from './detectors/ip';
import { detectNationalIds } from './detectors/national-id';
import { detectPhones } from './detectors/phone';
import { detectSecrets } from './detectors/secret';
import { kindRank } from './kinds';
import type { Detector, PiiSpan } from './kinds';

const DETECTORS: readonly Detector[] = [
  detectSecrets,
  detectEmails,
  detectIbans,
  detectCards,
  detectNationalIds,
  detectIps,
  detectPhones,
];

const better = (a: PiiSpan, b: PiiSpan): number =>
  kindRank(a.kind) - kindRank(b.kind) || b.end - b.start - (a.end - a.start) || a.start - b.start;

/** Non-overlapping detections in text order. */
export function detectPii(text: string): PiiSpan[] {
  const candidates = DETECTORS.flatMap((detector) => detector(text)).sort(better);
  const kept: PiiSpan[] = [];
  for (const candidate of candidates) {
    if (kept.every((span) => candidate.end <= span.start || candidate.start >= span.end))
      kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}
