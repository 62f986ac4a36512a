// A short excerpt of a passage around the first word that matches the query. Made here rather than with
// Postgres's ts_headline, which was most of a search's database time (it re-parses every hit's text),
// and the store's queries run on the request path.
import { isStopword } from '../text/stopwords';
import { tokenize } from '../text/tokens';

export const SNIPPET_CHARS = 240;

// A crude stem: the full-text ranking already matched stems, so "refunds" must find "refund" here too.
const stemOf = (term: string) => (term.length > 5 ? term.slice(0, term.length - 2) : term);

export function snippetOf(content: string, query: string, maxChars = SNIPPET_CHARS): string {
  const text = content.replace(/\s+/g, ' ').trim();
  if (text.length <= maxChars) return text;
  const stems = [...new Set(tokenize(query).filter((term) => !isStopword(term)))].map(stemOf);
  const lower = text.toLowerCase();
  let hit = -1;
  for (const word of lower.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}']*/gu)) {
    if (stems.some((stem) => word[0].startsWith(stem))) {
      hit = word.index;
      break;
    }
  }
  // Some context before the match, more after it; both ends moved to a word boundary.
  let start = hit < 0 ? 0 : Math.max(0, hit - Math.floor(maxChars / 3));
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) end = text.lastIndexOf(' ', end) > start ? text.lastIndexOf(' ', end) : end;
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}
