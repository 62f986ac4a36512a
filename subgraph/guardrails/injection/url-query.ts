// URLs and their query parameters, read in one pass. A single pattern for "a URL with a parameter whose value
// is a slot" backtracks: its greedy URL gives back one character at a time to try every `?` and `&`, and on a
// run of URLs with no space between ("http://a?b=&c=http://a?b=…") it does so from every URL's start, over
// the rest of the run (time quadratic, cubic where no key ends). Here each URL is matched once by a pattern
// that cannot backtrack, each parameter is judged once for the whole text, and a URL's parameters are looked
// up among those judged. The matches are those the single pattern makes.
import type { RuleMatch } from './rule';

/** The parameters of a text that open with `?` or `&` and pass a test, by where each opens. */
interface JudgedParams {
  /** Where each passing parameter's `?` or `&` is, ascending. */
  at: number[];
  /** Where each one's match ends, in the same order. */
  end: number[];
}

/**
 * The first index at or after a position where `chars` (a global pattern for one character) matches, for
 * positions asked in ascending order: each search starts where the last one found nothing before, so the text
 * is read once.
 */
class NextChar {
  private from = 0;
  private found = -1;

  constructor(
    private readonly text: string,
    private readonly chars: RegExp,
  ) {}

  at(position: number): number {
    if (position >= this.from && position <= this.found) return this.found;
    this.chars.lastIndex = position;
    const match = this.chars.exec(this.text);
    this.from = position;
    this.found = match === null ? this.text.length : match.index;
    return this.found;
  }
}

/**
 * Every parameter `[?&]key=value` of `text` whose key is one character or more up to `keyStop` (a global
 * pattern for the first character after a key; it must match "=") and whose value the sticky pattern `value`
 * matches right after the "=", with where that match ends. The `?` and `&` that open keys ending at one "="
 * share it, and its value is judged once.
 */
function judgeParams(text: string, keyStop: RegExp, value: RegExp): JudgedParams {
  const judged: JudgedParams = { at: [], end: [] };
  const stops = new NextChar(text, keyStop);
  let judgedStop = -1;
  let valueEnd = -1;
  for (const opener of text.matchAll(/[?&]/g)) {
    const stop = stops.at(opener.index + 1);
    if (stop === opener.index + 1 || text[stop] !== '=') continue;
    if (stop !== judgedStop) {
      judgedStop = stop;
      value.lastIndex = stop + 1;
      const match = value.exec(text);
      valueEnd = match === null ? -1 : match.index + match[0].length;
    }
    if (valueEnd >= 0) {
      judged.at.push(opener.index);
      judged.end.push(valueEnd);
    }
  }
  return judged;
}

/** The index of the first of the ascending `values` above `floor`, or their length where none is. */
function firstAbove(values: readonly number[], floor: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] ?? 0) > floor) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The index of the judged parameter in [from, to), the last one where `last`, else the first; -1 if none. */
function judgedIn(judged: JudgedParams, from: number, to: number, last: boolean): number {
  const index = last ? firstAbove(judged.at, to - 1) - 1 : firstAbove(judged.at, from - 1);
  const at = judged.at[index];
  return at !== undefined && at >= from && at < to ? index : -1;
}

const SCHEME = /https?:\/\//y;

/**
 * Matches of "a URL, then a parameter of it that passes": `https?://`, the URL's characters (none of
 * whitespace, `)`, `]`, quotes, `<`, `>`), and its last `?` or `&` that opens a parameter whose key runs to
 * whitespace, "=" or "&" and whose value `value` (a sticky pattern) matches; each match runs from the URL's
 * start to the value's end. As the pattern `https?://[^\s)\]"'<>]*[?&][^\s=&]+=` followed by `value` matches.
 */
export function urlParamMatches(text: string, value: RegExp): RuleMatch[] {
  const matches: RuleMatch[] = [];
  if (!text.includes('://')) return matches;
  const urls = /https?:\/\/[^\s)\]"'<>]*/gu;
  let judged: JudgedParams | undefined;
  for (let url = urls.exec(text); url !== null; url = urls.exec(text)) {
    const urlEnd = url.index + url[0].length;
    judged ??= judgeParams(text, /[\s=&]/gu, value);
    SCHEME.lastIndex = url.index;
    SCHEME.exec(text);
    // A URL that starts inside this one (in its query) ends where it does and has no parameter this one
    // lacks: the URL is read once, from its first start.
    const index = judgedIn(judged, SCHEME.lastIndex, urlEnd, true);
    const end = index < 0 ? urlEnd : (judged.end[index] ?? urlEnd);
    if (index >= 0) matches.push({ index: url.index, end });
    urls.lastIndex = Math.max(end, urlEnd);
  }
  return matches;
}

/**
 * Matches of "a markdown image whose URL has a parameter that passes": `![alt](`, the alt text at most 200
 * characters, `https?://`, a host and path (none of whitespace, `)`, `]`, quotes, `<`, `>`, `?`), then the
 * first parameter of its query (up to `)` or whitespace) that passes, else the query's own `?` one, else the
 * last `&` one in the host and path. A parameter passes where its key runs to whitespace, "=", "&" or ")" and
 * `value` (a sticky pattern) matches after the "=". As the pattern
 * `!\[[^\]]{0,200}\]\(\s*https?://[^\s)\]"'<>?]+(?:\?[^)\s]*?)?[?&][^\s=&)]+=` followed by `value` matches.
 */
export function imageParamMatches(text: string, value: RegExp): RuleMatch[] {
  const matches: RuleMatch[] = [];
  if (!text.includes('![')) return matches;
  const images = /!\[[^\]]{0,200}\]\(/gu;
  const link = /\s*https?:\/\/[^\s)\]"'<>?]+/uy;
  const queryStops = new NextChar(text, /[)\s]/gu);
  // What follows a "](" decides alone whether an image opened before it matches, and where the match ends:
  // images that share it ("![a![b](…") are judged once.
  const endAfter = new Map<number, number>();
  let judged: JudgedParams | undefined;
  const matchEnd = (from: number): number => {
    link.lastIndex = from;
    const url = link.exec(text);
    if (url === null) return -1;
    judged ??= judgeParams(text, /[\s=&)]/gu, value);
    const hostStart = from + url[0].indexOf('//') + 2;
    const hostEnd = from + url[0].length;
    let index = -1;
    if (text[hostEnd] === '?') {
      index = judgedIn(judged, hostEnd + 1, queryStops.at(hostEnd + 1), false);
      if (index < 0) index = judgedIn(judged, hostEnd, hostEnd + 1, false);
    }
    // An "&" in the host and path, after one character of it at least.
    if (index < 0) index = judgedIn(judged, hostStart + 1, hostEnd, true);
    return index < 0 ? -1 : (judged.end[index] ?? -1);
  };
  for (let image = images.exec(text); image !== null; image = images.exec(text)) {
    const after = image.index + image[0].length;
    const end = endAfter.get(after) ?? matchEnd(after);
    endAfter.set(after, end);
    if (end >= 0) matches.push({ index: image.index, end });
    images.lastIndex = end >= 0 ? end : image.index + 1;
  }
  return matches;
}
