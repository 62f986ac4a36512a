// HIDDEN_TEXT: characters a reader does not see but a model reads. Zero-width characters can split a word
// past a filter or carry a message; bidirectional overrides make text display differently from its order;
// Unicode tag characters (U+E0000 block) spell ASCII invisibly, so they are decoded and screened. Letters
// spaced apart ("i g n o r e") defeat word matching the same way.
import type { InjectionFinding, InnerScreen } from './finding';
import type { ScreenContext } from './rule';

// Zero-width and filler characters with no legitimate use inside running text. ZWJ and ZWNJ are left out:
// emoji sequences and Persian or Indic words need them.
const ZERO_WIDTH = /[\u200b\u2060-\u2064\u206a-\u206f\u180e\u115f\u1160\u3164\uffa0\u2800]|(?<!^)\ufeff/gu;
// Any character that renders as nothing (see INVISIBLE in normalize.ts: default-ignorable, format and control
// characters) between two Latin letters: nothing renders differently there, so it only splits a word. A
// soft hyphen marks where a word may break, and bidirectional controls and tag characters are read below.
const INVISIBLE_IN_LATIN =
  /(?<=\p{Script=Latin}[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}]*)(?![\s\u00ad\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}\u200b\u2060-\u2064\u206a-\u206f\u180e\u115f\u1160\u3164\uffa0\ufeff])[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}](?=[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}]*\p{Script=Latin})/gu;
const BIDI_OVERRIDE = /[\u202d\u202e]/gu;
const BIDI_EMBEDDING = /[\u202a-\u202c\u2066-\u2069]/gu;
const RTL_LETTERS = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
// Tag characters, except the run that spells a subdivision flag after U+1F3F4 (England, Scotland, Wales).
const TAG_RUN = /(?<!\u{1f3f4}[\u{e0020}-\u{e007f}]*)[\u{e0000}-\u{e007f}]+/gu;
const VARIATION_RUN = /[\u{e0100}-\u{e01ef}]{4,}|[\ufe00-\ufe0f]{4,}/gu;
// Eight or more single letters, each followed by one separator: "S a y t h a t", "i.g.n.o.r.e".
const SPACED_LETTERS = /(?<![\p{L}\p{N}])(?:\p{L}[ .\-_*|·]{1,3}){7,}\p{L}(?![\p{L}\p{N}])/gu;
const DIRECTIVE_STEMS =
  /ignore|forget|disregard|instruction|prompt|password|system|say|tell|print|write|vergiss|ignorier|anweisung|sage|schreib/u;

function spanOf(pattern: RegExp, text: string): { count: number; start: number; end: number } {
  let count = 0;
  let start = -1;
  let end = -1;
  for (const match of text.matchAll(pattern)) {
    count += 1;
    if (start < 0) start = match.index;
    end = match.index + match[0].length;
  }
  return { count, start, end };
}

function zeroWidth(text: string): InjectionFinding[] {
  const plain = spanOf(ZERO_WIDTH, text);
  const joiners = spanOf(INVISIBLE_IN_LATIN, text);
  const count = plain.count + joiners.count;
  if (count === 0) return [];
  // One stray zero-width space comes with copied web text; several are a pattern.
  const score = count >= 4 ? 0.6 : count >= 2 ? 0.3 : 0.15;
  const starts = [plain.start, joiners.start].filter((at) => at >= 0);
  return [
    {
      kind: 'HIDDEN_TEXT',
      rule: 'zero-width',
      score,
      start: Math.min(...starts),
      end: Math.max(plain.end, joiners.end),
    },
  ];
}

function bidi(text: string): InjectionFinding[] {
  const rtl = RTL_LETTERS.test(text);
  const overrides = spanOf(BIDI_OVERRIDE, text);
  const embeddings = spanOf(BIDI_EMBEDDING, text);
  const findings: InjectionFinding[] = [];
  if (overrides.count > 0) {
    const score = rtl ? 0.4 : 0.8;
    findings.push({
      kind: 'HIDDEN_TEXT',
      rule: 'bidi-override',
      score,
      start: overrides.start,
      end: overrides.end,
    });
  }
  // Embeddings and isolates are ordinary in mixed right-to-left text, not in text without any.
  if (embeddings.count > 0 && !rtl) {
    findings.push({
      kind: 'HIDDEN_TEXT',
      rule: 'bidi-embedding',
      score: 0.6,
      start: embeddings.start,
      end: embeddings.end,
    });
  }
  return findings;
}

function tags(text: string, context: ScreenContext, inner: InnerScreen): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  for (const match of text.matchAll(TAG_RUN)) {
    const start = match.index;
    const end = start + match[0].length;
    const decoded = String.fromCodePoint(
      ...[...match[0]].map((char) => (char.codePointAt(0) ?? 0) - 0xe0000),
    );
    findings.push({ kind: 'HIDDEN_TEXT', rule: 'tag-characters', score: 0.9, start, end });
    for (const found of inner(decoded, context)) findings.push({ ...found, start, end });
  }
  return findings;
}

function variationRuns(text: string): InjectionFinding[] {
  const run = spanOf(VARIATION_RUN, text);
  if (run.count === 0) return [];
  return [{ kind: 'HIDDEN_TEXT', rule: 'variation-selectors', score: 0.7, start: run.start, end: run.end }];
}

// A cheap test first: the full pattern is slow on long texts, and nearly every text has no such run.
const SPACED_HINT = /(?:\p{L}[ .\-_*|·]){4}\p{L}/u;

function spacedLetters(text: string, context: ScreenContext): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  if (!SPACED_HINT.test(text)) return findings;
  for (const match of text.matchAll(SPACED_LETTERS)) {
    const joined = match[0].replace(/[^\p{L}]/gu, '').toLowerCase();
    const directive = DIRECTIVE_STEMS.test(joined);
    const score = context === 'question' ? (directive ? 0.7 : 0.4) : directive ? 0.6 : 0.25;
    findings.push({
      kind: 'HIDDEN_TEXT',
      rule: 'spaced-letters',
      score,
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return findings;
}

export function hiddenTextFindings(
  text: string,
  context: ScreenContext,
  inner: InnerScreen,
): InjectionFinding[] {
  return [
    ...zeroWidth(text),
    ...bidi(text),
    ...tags(text, context, inner),
    ...variationRuns(text),
    ...spacedLetters(text, context),
  ];
}

// Containers a page renders invisibly: HTML comments, hidden elements, markdown comments.
const CONCEALED =
  /<!--[\s\S]*?-->|<(\w+)[^>]*style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;"']|opacity\s*:\s*0(?:\.0+)?\s*[;"'])[^>]*>[\s\S]*?<\/\1>|<(\w+)[^>]*\bhidden\b[^>]*>[\s\S]*?<\/\2>|^\[\/\/\]: #.*$/gimu;

/** A HIDDEN_TEXT finding for each concealed container that holds one of `found` (screened elsewhere). */
export function concealedFindings(text: string, found: readonly InjectionFinding[]): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  for (const match of text.matchAll(CONCEALED)) {
    const start = match.index;
    const end = start + match[0].length;
    const inside = found.some((item) => item.start !== undefined && item.start >= start && item.start < end);
    if (inside) findings.push({ kind: 'HIDDEN_TEXT', rule: 'concealed-container', score: 0.75, start, end });
  }
  return findings;
}

/** A HIDDEN_TEXT finding when an invisible character sits inside a span another rule matched. */
export function splitWordFindings(
  text: string,
  found: readonly InjectionFinding[],
  invisible: RegExp,
): InjectionFinding[] {
  const split = found.find(
    (item) =>
      item.start !== undefined &&
      item.end !== undefined &&
      item.kind !== 'HIDDEN_TEXT' &&
      invisible.test(text.slice(item.start, item.end)),
  );
  return split
    ? [
        {
          kind: 'HIDDEN_TEXT',
          rule: 'invisible-inside-match',
          score: 0.8,
          start: split.start,
          end: split.end,
        },
      ]
    : [];
}
