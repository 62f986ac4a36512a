// One score from many findings: each rule counts once (its strongest match), and independent rules combine
// as a noisy OR, 1 − Π(1 − sᵢ): two weak signals make a stronger one, and no sum passes 1.
import type { InjectionFinding } from './finding';

export function combinedScore(findings: readonly InjectionFinding[]): number {
  const strongest = new Map<string, number>();
  for (const { rule, score } of findings) strongest.set(rule, Math.max(score, strongest.get(rule) ?? 0));
  let missed = 1;
  for (const score of strongest.values()) missed *= 1 - score;
  return 1 - missed;
}
