// Whether a model's output repeats its instructions: a long run of words shared with the system prompt is a
// leak (a prompt-extraction attack that worked, or a confused model), while an answer that merely uses some of
// the prompt's words ("passages", "cite") shares no long run with it.
// Whole CJK runs, not bigrams: nine characters shared with a Chinese or Japanese prompt are no leak.
import { wordTokens } from '../../text/tokens';

export interface EchoOptions {
  /** The length, in words, of a shared run that counts as an echo. */
  minWords: number;
}

// Eight words in a row: long enough that ordinary phrasing ("if the passages do not") does not reach it.
export const DEFAULT_ECHO_OPTIONS: EchoOptions = { minWords: 8 };

export const gram = (words: readonly string[], at: number, n: number) => words.slice(at, at + n).join(' ');

/** A prompt's runs of `n` words, built once per prompt: a handful of prompt versions serve every request. */
const promptGrams = new Map<string, { n: number; grams: ReadonlySet<string> }>();
const MAX_PROMPTS_KEPT = 64;

export function gramsOf(systemPrompt: string, minWords: number): { n: number; grams: ReadonlySet<string> } {
  const key = `${minWords}\u0000${systemPrompt}`;
  const known = promptGrams.get(key);
  if (known) return known;
  // Template slots ("{{passages}}") are filled with the request's data, which an answer may quote freely.
  const prompt = wordTokens(systemPrompt.replace(/\{\{[^}]*\}\}/g, ' '));
  // A prompt shorter than the run length is echoed when the output contains all of it.
  const n = Math.min(minWords, prompt.length);
  const grams = new Set<string>();
  for (let at = 0; n > 0 && at + n <= prompt.length; at++) grams.add(gram(prompt, at, n));
  if (promptGrams.size >= MAX_PROMPTS_KEPT) promptGrams.clear();
  const built = { n, grams };
  promptGrams.set(key, built);
  return built;
}

export function echoesInstructions(
  output: string,
  systemPrompt: string,
  options: EchoOptions = DEFAULT_ECHO_OPTIONS,
): boolean {
  const { n, grams } = gramsOf(systemPrompt, options.minWords);
  const words = wordTokens(output);
  if (n === 0 || words.length < n) return false;
  for (let at = 0; at + n <= words.length; at++) {
    if (grams.has(gram(words, at, n))) return true;
  }
  return false;
}
