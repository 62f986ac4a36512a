// A token count estimated from text, where no provider reported one (a stream left before its usage chunk):
// about four characters per token for English with the common BPE vocabularies. An estimate, used only to
// price what an abandoned stream received; a provider's own usage always wins.
const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
