// The format rail of `ask`: an answer cites the numbered passages with [n] markers, or says exactly
// NO_ANSWER when they do not hold the answer (answer.v2.md asks for both). A reply that does neither, or cites
// only numbers no passage has, is malformed: the gateway asks the model once to repair it, then moves on.
import type { ReplyVerdict } from '../../gateway/gateway-call';
import { citedNumbers } from '../grounding/citation-markers';

/** What answer.v2.md tells the model to reply when the passages do not answer the question. */
export const ABSTENTION = 'NO_ANSWER';

/** The longest prose an abstention may carry beside the token ("The passages do not say. NO_ANSWER"). */
const ABSTENTION_PROSE_CHARS = 400;

/**
 * Whether the reply is the abstention: the token alone, give or take case, quotes and a full stop; or, as
 * models write it despite the prompt, the token closing a short reply that cites nothing ("The passages do
 * not say. NO_ANSWER"). A reply citing any passage, or going on after the token, is not an abstention.
 */
export function isAbstention(text: string): boolean {
  const bare = text
    .trim()
    .replace(/^["'`*]+|["'`*.!]+$/g, '')
    .toUpperCase();
  if (bare === ABSTENTION) return true;
  if (citedNumbers(text).length > 0) return false;
  const token = /(?<![\p{L}\p{N}_])NO_ANSWER(?![\p{L}\p{N}_])/giu;
  const at = [...text.matchAll(token)];
  if (at.length !== 1) return false;
  const start = at[0]?.index ?? 0;
  // The token closes the reply (quotes, emphasis and a full stop aside); the prose before it is short.
  if (!/^["'`*.!)]*$/u.test(text.slice(start + ABSTENTION.length).trim())) return false;
  return text.slice(0, start).trim().length <= ABSTENTION_PROSE_CHARS;
}

/** The numbers cited in `text` ("[7]", the 7 of "[1, 7]") that name none of the `passageCount` passages given. */
export function unknownCitations(text: string, passageCount: number): number[] {
  return citedNumbers(text).filter((n) => n < 1 || n > passageCount);
}

export function answerFormatVerdict(text: string, passageCount: number): ReplyVerdict {
  if (isAbstention(text)) return { ok: true };
  const markers = citedNumbers(text);
  if (markers.some((n) => n >= 1 && n <= passageCount)) return { ok: true };
  const problem = markers.length === 0 ? 'no citation marker' : 'only citations of passages not given';
  return {
    ok: false,
    problem,
    repair:
      `Your previous reply could not be used: ${problem}. Reply again. Cite every claim with the number of ` +
      `its passage in square brackets, from [1] to [${passageCount}], or reply exactly ${ABSTENTION} if the ` +
      'passages do not contain the answer.',
  };
}
