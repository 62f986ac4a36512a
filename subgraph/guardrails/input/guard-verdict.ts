// Reads a guard model's reply. Llama Guard answers `safe` or `unsafe` (then its categories on the next line);
// a classifier prompted through guard.v1.md answers the same words. Anything else is no verdict: the rules
// have already screened the question, so an unreadable guard adds nothing rather than refusing it.
export type GuardVerdict = 'safe' | 'unsafe' | 'unknown';

export function guardVerdictOf(reply: string): GuardVerdict {
  const first =
    reply
      .trim()
      .split(/\s+/, 1)[0]
      ?.toLowerCase()
      .replace(/[^a-z]/g, '') ?? '';
  if (first === 'unsafe' || first === 'injection' || first === 'jailbreak') return 'unsafe';
  if (first === 'safe' || first === 'benign') return 'safe';
  return 'unknown';
}
