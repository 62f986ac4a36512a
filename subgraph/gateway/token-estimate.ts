// A token count estimated from text, where no provider reported one: about four characters per token for
// English with the common BPE vocabularies. Used before a call (the worst case a spend cap reserves, the
// tokens a rate limit counts until settled) and for what an abandoned stream received; a provider's own
// usage always wins once it is known.
import type { TokenUsage } from './providers/model-provider';

const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The input tokens of a rendered prompt: its system and user text together. */
export function promptTokens(prompt: { system: string; user: string }): number {
  return Math.ceil((prompt.system.length + prompt.user.length) / CHARS_PER_TOKEN);
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
