// The text the rules read: compatibility-folded (NFKC turns fullwidth and mathematical letters into plain
// ones), lower-cased, look-alike Cyrillic and Greek letters mapped to Latin, invisible characters removed and
// whitespace collapsed, so "ＩＧＮＯＲＥ", "ig\u200bnore" and "іgnore" read as "ignore". Each character keeps the
// offset of the original character it came from, so a finding points into the caller's text.

/** Characters that render as nothing: removed, so they cannot split a word the rules look for. */
export const INVISIBLE =
  /[\u00ad\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]|\p{Variation_Selector}|\u034f/u;

// The Cyrillic and Greek letters that look like Latin ones in most fonts (Unicode confusables, lower case).
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  '\u2018': "'",
  '\u2019': "'",
  '\u201b': "'",
  '\u2032': "'",
};

export interface NormalizedText {
  text: string;
  /** `start[i]`: offset in the original of the character that produced `text[i]`. */
  start: number[];
  /** `end[i]`: offset just past that original character. */
  end: number[];
}

export function normalizeForScreen(original: string): NormalizedText {
  const chars: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  let pendingSpace: { newline: boolean; at: number; to: number } | undefined;
  let offset = 0;
  for (const codePoint of original) {
    const from = offset;
    offset += codePoint.length;
    const code = codePoint.charCodeAt(0);
    const ascii = code < 0x80;
    if (!ascii && INVISIBLE.test(codePoint)) continue;
    if (code === 0x20 || (code >= 0x09 && code <= 0x0d) || (!ascii && /\s/u.test(codePoint))) {
      // A run of spaces becomes one space, or one newline when it holds one: rules read line starts.
      const newline = codePoint === '\n' || codePoint === '\r' || pendingSpace?.newline === true;
      pendingSpace = { newline, at: pendingSpace?.at ?? from, to: offset };
      continue;
    }
    if (pendingSpace) {
      if (chars.length > 0) {
        chars.push(pendingSpace.newline ? '\n' : ' ');
        start.push(pendingSpace.at);
        end.push(pendingSpace.to);
      }
      pendingSpace = undefined;
    }
    if (ascii) {
      // The common case, without Unicode folding: ASCII is already in normal form.
      chars.push(code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : codePoint);
      start.push(from);
      end.push(offset);
      continue;
    }
    for (const folded of codePoint.normalize('NFKC').toLowerCase()) {
      for (const char of CONFUSABLES[folded] ?? folded) {
        chars.push(char);
        start.push(from);
        end.push(offset);
      }
    }
  }
  return { text: chars.join(''), start, end };
}

/**
 * `source` (a regular expression's words) as the rules see it after normalization: a rule written with
 * Cyrillic words ("забудь") must fold its look-alike letters the way the text is folded ("зaбyдь").
 */
export function foldPattern(source: string): string {
  return normalizeForScreen(source).text;
}

/** The original span of the normalized span [from, to). */
export function originalSpan(
  normalized: NormalizedText,
  from: number,
  to: number,
): { start: number; end: number } {
  const last = Math.max(from, to - 1);
  return { start: normalized.start[from] ?? 0, end: normalized.end[last] ?? normalized.end.at(-1) ?? 0 };
}
