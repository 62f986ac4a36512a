// The part of a long text the extractive summary ranks: its lead, cut where a paragraph or sentence ends.
// Ranking costs about a third of a second per megabyte on the event loop (splitting, TF-IDF, centrality);
// the lead of a document is where a summary of it mostly comes from anyway.

/**
 * `text` itself when it fits in `maxChars`; otherwise its start from its first non-space character, cut at the
 * last boundary in the bound: a text opening on a bound's worth of whitespace still leads with its content.
 */
export function leadingText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const start = text.search(/\S/u);
  if (start === -1) return '';
  if (text.length - start <= maxChars) return text.slice(start);
  const head = text.slice(start, start + maxChars);
  // A boundary in the second half keeps most of the bound; one earlier would waste it.
  const atLeast = Math.floor(maxChars / 2);
  const paragraph = head.lastIndexOf('\n\n');
  if (paragraph >= atLeast) return head.slice(0, paragraph);
  const sentenceEnd = Math.max(
    // Chinese and Japanese sentence ends need no space after them.
    ...['. ', '! ', '? ', '.\n', '!\n', '?\n', '。', '！', '？'].map((end) => head.lastIndexOf(end)),
  );
  if (sentenceEnd >= atLeast) return head.slice(0, sentenceEnd + 1);
  const space = head.search(/\s\S*$/);
  return space >= atLeast ? head.slice(0, space) : head;
}
