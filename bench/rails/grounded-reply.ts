// What the fake model answers in bench:rails: the first sentence of each of the first two passages that are
// not fenced as flagged, each cited with its number, so the citation and grounding rails check real text
// that passes (as most answers of a good model do) rather than a canned string. Both prompts, fenced or
// plainly numbered, carry the passages as `[n] (title) content` lines; a flagged passage's content opens
// with `[flagged: …]` and is quoted.
const PASSAGE_LINE = /^\[(\d+)\] \((.*?)\) (.*)$/gm;
const FIRST_SENTENCE = /^(.+?[.!?])(?:\s|$)/;

/** The answer to the user message `prompt` (the rendered `answer` prompt); NO_ANSWER when it has no passage. */
export function groundedReply(prompt: string): string {
  const sentences: string[] = [];
  for (const match of prompt.matchAll(PASSAGE_LINE)) {
    const [, n, , content = ''] = match;
    if (content.startsWith('[flagged')) continue;
    const sentence = FIRST_SENTENCE.exec(content)?.[1] ?? content;
    sentences.push(`${sentence.replace(/[.!?]$/, '')} [${n}].`);
    if (sentences.length === 2) break;
  }
  return sentences.length > 0 ? sentences.join(' ') : 'NO_ANSWER';
}
