// The echo check (echoes-instructions.ts) on a reply as it streams: a stream must be stopped before the delta
// that completes a run of the system prompt goes out, since a restart notice cannot take back text the client
// has. Every delta is checked before it is released, so the check must not re-read the whole text each time (a
// long answer would cost quadratic time, and the first delta waits on it): only the text since the last
// separator is tokenized again, after the n-1 words before it, where a run ending in a new word may start.
import { wordTokens } from '../../text/tokens';
import { DEFAULT_ECHO_OPTIONS, gram, gramsOf } from './echoes-instructions';
import type { EchoOptions } from './echoes-instructions';

export interface EchoWatch {
  /** The next delta of the reply: true once the text so far repeats a run of the prompt, and from then on. */
  push(delta: string): boolean;
}

/**
 * Where the text may be cut and each side tokenized alone into the same words as the whole: characters never
 * part of a word, which neither fold into one (NFKC) nor combine with a neighbour, nor are case-ignorable (a
 * Greek sigma lowercases by what follows it across those: `.` `:` `^` `` ` `` and the apostrophe, which also
 * joins "don't"). Whitespace (but U+FEFF), the rest of ASCII punctuation, and the common CJK stops.
 */
const SEPARATOR =
  /[\t-\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000!-&(-\-/;-@[-\]_{-~\u3001\u3002\uff01\uff0c\uff1b\uff1f]/u;

/** Where the last separator of `text` stands, if past its start: 0 when there is none. */
function lastSeparator(text: string): number {
  for (let at = text.length - 1; at > 0; at--) if (SEPARATOR.test(text.charAt(at))) return at;
  return 0;
}

/**
 * A watch on one streamed reply: whether any text so far repeats a run of the prompt, as echoesInstructions
 * would say of it. A run counts once its last word reads as the prompt's, though more letters may follow ("in"
 * of "into"): released, that text would hold the run. So the watch may stop a reply the check of the whole
 * would pass, but only one that had repeated the prompt's run to the last letter of its last word.
 */
export function echoWatch(systemPrompt: string, options: EchoOptions = DEFAULT_ECHO_OPTIONS): EchoWatch {
  const { n, grams } = gramsOf(systemPrompt, options.minWords);
  // The last n-1 words before `tail`: final, since a separator follows them.
  let before: string[] = [];
  // The text since the last separator. Its last word may go on with the next delta; the words before are final.
  let tail = '';
  // How many words `tail` held after the last delta: runs ending before the last of them were checked then.
  let known = 0;
  let echoed = false;
  return {
    push(delta) {
      if (echoed || n === 0 || delta === '') return echoed;
      tail += delta;
      const words = wordTokens(tail);
      const all = before.length > 0 ? before.concat(words) : words;
      // Runs ending in the word the delta may have extended, or in a new one.
      for (let end = Math.max(n - 1, before.length + known - 1); end < all.length; end++) {
        if (grams.has(gram(all, end - n + 1, n))) return (echoed = true);
      }
      const cut = lastSeparator(tail);
      if (cut === 0) {
        known = words.length;
        return false;
      }
      tail = tail.slice(cut);
      known = wordTokens(tail).length;
      const settled = all.length - known;
      before = all.slice(Math.max(0, settled - (n - 1)), settled);
      return false;
    },
  };
}
