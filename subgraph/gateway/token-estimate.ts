// A token count estimated from text, where no provider reported one. Used before a call (the worst case a
// spend cap reserves, the tokens a rate limit counts until settled) and for what an abandoned stream received;
// a provider's own usage always wins once it is known. The common BPE vocabularies pack about four ASCII
// characters (English, code, numbers) into a token, but Chinese, Japanese and Korean take one to two tokens a
// character and an emoji two or more: counted at four characters a token, a 30,000-character Chinese text
// reserved a quarter of what it was billed, and the settle took a capped tenant past its cap. So every UTF-16
// unit outside ASCII counts a token of its own (an emoji is two units); accented Latin letters are counted
// high, which errs on the side of the cap.
import type { TokenUsage } from './providers/model-provider';

const ASCII_CHARS_PER_TOKEN = 4;

/** The tokens of these texts taken as one. */
function tokensOf(...texts: string[]): number {
  let length = 0;
  let outsideAscii = 0;
  for (const text of texts) {
    length += text.length;
    for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) outsideAscii += 1;
  }
  return Math.ceil((length - outsideAscii) / ASCII_CHARS_PER_TOKEN) + outsideAscii;
}

export function estimateTokens(text: string): number {
  return tokensOf(text);
}

/** The input tokens of a rendered prompt: its system and user text together. */
export function promptTokens(prompt: { system: string; user: string }): number {
  return tokensOf(prompt.system, prompt.user);
}

/**
 * What a provider bills for a request it received and did not see through (a stream cut, timed out or left
 * mid-answer, a hedge that lost its race): the whole prompt it was sent, and the text it had streamed. The
 * input tokens the provider itself counted, where it named them before its end (Anthropic's message_start),
 * win over the prompt's estimate.
 */
export function receivedUsage(
  prompt: { system: string; user: string },
  receivedText: string,
  reportedInputTokens?: number,
): TokenUsage {
  return {
    inputTokens: reportedInputTokens ?? promptTokens(prompt),
    outputTokens: estimateTokens(receivedText),
  };
}
