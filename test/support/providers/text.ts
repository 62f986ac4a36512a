// Text helpers shared by the fake providers: content flattening, token estimates, delta splitting.
import type { ChatRequest } from './server';

/** Roughly what real tokenizers give for English: one token per four characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cuts `text` to what `maxTokens` allows under the same estimate; `truncated` says whether it had to. */
export function limitToTokens(
  text: string,
  maxTokens: number | undefined,
): { text: string; truncated: boolean } {
  if (maxTokens === undefined || estimateTokens(text) <= maxTokens) return { text, truncated: false };
  return { text: text.slice(0, Math.max(0, maxTokens * 4)), truncated: true };
}

/**
 * Splits text into per-word deltas whose concatenation is exactly the text, so a client that assembles a
 * stream can be checked against the responder's output character for character.
 */
export function splitIntoDeltas(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  if (parts.length === 0) return text.length > 0 ? [text] : [];
  parts[0] = leading + (parts[0] ?? '');
  return parts;
}

/**
 * Message content in both providers is a string or an array of blocks; text blocks are joined and the
 * rest (images, tool calls) is ignored because the fakes only answer text.
 */
export function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (isRecord(block) && typeof block.text === 'string') texts.push(block.text);
  }
  return texts.join('\n');
}

/** The default answer: deterministic and visibly derived from the last user message. */
export function defaultResponder(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const words = (lastUser?.content ?? '').split(/\s+/).filter((word) => word.length > 0);
  return words.length > 0 ? `Summary: ${words.slice(0, 20).join(' ')}` : 'Summary: nothing to summarize.';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
