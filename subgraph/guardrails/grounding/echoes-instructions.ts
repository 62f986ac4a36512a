// Whether a model's output repeats its instructions: a long run of words shared with the system prompt is a
// leak (a prompt-extraction attack that worked, or a confused model), while an answer that merely uses some of
// the prompt's words ("passages", "cite") shares no long run with it.
import { tokenize } from '../../text/tokens';

export interface EchoOptions {
  /** The length, in words, of a shared run that counts as an echo. */
  minWords: number;
}

// Eight words in a row: long enough that ordinary phrasing ("if the passages do not") does not reach it.
export const DEFAULT_ECHO_OPTIONS: EchoOptions = { minWords: 8 };

const gram = (words: readonly string[], at: number, n: number) => words.slice(at, at + n).join(' ');

export function echoesInstructions(
  output: string,
  systemPrompt: string,
  options: EchoOptions = DEFAULT_ECHO_OPTIONS,
): boolean {
  // Template slots ("{{passages}}") are filled with the request's data, which an answer may quote freely.
  const prompt = tokenize(systemPrompt.replace(/\{\{[^}]*\}\}/g, ' '));
  const words = tokenize(output);
  // A prompt shorter than the run length is echoed when the output contains all of it.
  const n = Math.min(options.minWords, prompt.length);
  if (n === 0 || words.length < n) return false;
  const grams = new Set<string>();
  for (let at = 0; at + n <= prompt.length; at++) grams.add(gram(prompt, at, n));
  for (let at = 0; at + n <= words.length; at++) {
    if (grams.has(gram(words, at, n))) return true;
  }
  return false;
}
