// Text helpers shared by the fake providers: content flattening, token estimates, delta splitting.
import type { ChatRequest } from './server';

/**
 * Roughly what real tokenizers bill: one token per four ASCII characters (English), one per UTF-16 unit outside
 * ASCII (Chinese, Japanese and Korean take one to two tokens a character, an emoji two or more).
 */
export function estimateTokens(text: string): number {
  let outsideAscii = 0;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) outsideAscii += 1;
  return Math.ceil((text.length - outsideAscii) / 4) + outsideAscii;
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

/**
 * The default answer: deterministic, and what a model following our prompts would write, so it passes the
 * output rails the real path runs (a reply quoting the prompt's own words would not: "80 words" is no fact
 * of the source, a fence line no sentence of a passage).
 * - A summarize prompt (`<<<TEXT … TEXT>>>`): the first 20 words of the text, as they stand (a label such
 *   as "Summary:" would open the sentence with a capitalized word the text lacks, which the rail reads as a
 *   name).
 * - An ask prompt (`<<<PASSAGES tag … PASSAGES tag>>>`): the first 20 words of the first passage's content
 *   (after its `[1] (Title)` prefix), cited ` [1].`, so the format and grounding rails accept it.
 * - Anything else: "Summary: " and the first 20 words of the last user message.
 */
export function defaultResponder(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const content = lastUser?.content ?? '';
  const passage = firstPassage(content);
  if (passage !== undefined) return `${firstWords(passage).replace(/[\s.,;:!?]+$/, '')} [1].`;
  const text = /<<<TEXT\n([\s\S]*?)\nTEXT>>>/.exec(content)?.[1];
  if (text !== undefined) return firstWords(text);
  const words = firstWords(content);
  return words.length > 0 ? `Summary: ${words}` : 'Summary: nothing to summarize.';
}

function firstWords(text: string, count = 20): string {
  return text
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .slice(0, count)
    .join(' ');
}

/** The content of passage [1] inside the prompt's passage fence, without its number, title and flag note. */
function firstPassage(content: string): string | undefined {
  const body = /<<<PASSAGES (\S+)\n([\s\S]*?)\nPASSAGES \1>>>/.exec(content)?.[2];
  if (body === undefined) return undefined;
  const first = body.split(/\n\n(?=\[\d+\] \()/)[0] ?? '';
  const flagged = /^\[1\] \(.*?\) \[flagged: [^\]]*\] "([\s\S]*)"$/.exec(first);
  if (flagged) return flagged[1]?.replace(/\\"/g, '"');
  return first.replace(/^\[1\] \(.*?\) /, '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
