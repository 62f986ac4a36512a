// Model output as PostgreSQL can store it. A provider may send NUL (valid JSON: "\u0000") or an unpaired
// surrogate, and neither has a place in PostgreSQL's text or jsonb: a job's result, a document's stored
// summary or a kept sample carrying one failed to be written, and a long summary fed its parts' summaries
// back into the summarize input, which refuses both (inputs.ts), so the job failed on every try. Each becomes
// U+FFFD, the replacement character, as a UTF-8 decoder shows bytes it cannot read.

const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';

/** `text` with NUL and unpaired surrogates replaced; the same string when it holds neither. */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes(NUL) ? wellFormed.replaceAll(NUL, REPLACEMENT) : wellFormed;
}

/**
 * A streamed delta with NUL replaced. Its surrogates are left alone: a pair may be split across two deltas,
 * and the text they add up to is made well-formed once whole (storableText).
 */
export function storableDelta(delta: string): string {
  return delta.includes(NUL) ? delta.replaceAll(NUL, REPLACEMENT) : delta;
}
