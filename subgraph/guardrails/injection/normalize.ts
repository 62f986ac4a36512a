// The text the rules read: compatibility-folded (NFKC turns fullwidth and mathematical letters into plain
// ones), lower-cased, look-alike letters of other scripts mapped to Latin, invisible characters removed and
// whitespace collapsed, so "ＩＧＮＯＲＥ", "ig\u200bnore", "іgnоre" and "ɪɢɴᴏʀᴇ" read as "ignore". Each character
// keeps the offset of the original character it came from, so a finding points into the caller's text.

/**
 * Characters that render as nothing, removed so they cannot split a word the rules look for: by Unicode
 * property, not by list, so a newly found one is covered too. Default-ignorable code points (zero-width
 * spaces and joiners, fillers, variation selectors, tags, U+17B4), format characters (bidi marks such as
 * U+061C, soft hyphens) and control characters other than whitespace (NUL and its kin, which a renderer
 * drops). The Braille blank U+2800 is a symbol by category but draws no ink and is no whitespace, so it is
 * named. Whitespace itself is read as a word break (see normalizeForScreen).
 */
export const INVISIBLE = /(?![\t\n\v\f\r])[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\u2800]/u;

// Letters of other scripts, and Latin letter forms, that look like one plain Latin letter (lower case, since
// the text is lower-cased first). From Unicode's confusables (UTS #39: the prototypes that are one ASCII
// letter, for letters of the scripts set beside Latin: Greek, Cyrillic, Armenian, Cherokee, IPA and other
// Latin forms) and the Latin small capitals, which Unicode names as forms of a letter ("LATIN LETTER
// SMALL CAPITAL G"). NFKC already folds fullwidth, mathematical, superscript and letterlike forms. A few
// Greek letters UTS #39 maps only in capitals (ε, κ, τ, χ) are kept: in lower case they read as those letters
// too. Quotation marks that read as an apostrophe are folded to one.
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  г: 'r',
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
  ѡ: 'w',
  ѵ: 'v',
  ү: 'y',
  һ: 'h',
  ҽ: 'e',
  ӏ: 'i',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  // Greek
  α: 'a',
  γ: 'y',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  σ: 'o',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ϱ: 'p',
  ϲ: 'c',
  ϳ: 'j',
  // Armenian
  ա: 'w',
  գ: 'q',
  զ: 'q',
  հ: 'h',
  ո: 'n',
  ռ: 'n',
  ս: 'u',
  ց: 'g',
  ք: 'f',
  օ: 'o',
  // Cherokee (small letters, which capitals lower-case to)
  ꭵ: 'i',
  ꮁ: 'r',
  ꮃ: 'w',
  ꮓ: 'z',
  ꮩ: 'v',
  ꮪ: 's',
  ꮯ: 'c',
  // Latin letter forms: IPA and phonetic letters, blackletter and other variants
  ı: 'i',
  ƍ: 'g',
  ƽ: 's',
  ǀ: 'l',
  ɑ: 'a',
  ɡ: 'g',
  ɣ: 'y',
  ɩ: 'i',
  ɯ: 'w',
  ʋ: 'u',
  ᴑ: 'o',
  ᴦ: 'r',
  ᶃ: 'g',
  ᶌ: 'y',
  ẝ: 'f',
  ỿ: 'y',
  ꞙ: 'f',
  ꞟ: 'u',
  ꬲ: 'e',
  ꬵ: 'f',
  ꬽ: 'o',
  ꭇ: 'r',
  ꭈ: 'r',
  ꭎ: 'u',
  ꭒ: 'u',
  ꭚ: 'y',
  // Latin small capitals
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ꞯ: 'q',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
  // Quotation marks read as an apostrophe
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
      // The common case, without Unicode folding: ASCII is already in normal form. Its control characters
      // (NUL and kin; whitespace was read above) render as nothing: dropped, as INVISIBLE ones are.
      if (code < 0x20 || code === 0x7f) continue;
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

// Markup that renders as nothing: inside a word, emphasis, strike-through and code markers ("I**gn**ore") and
// HTML comments ("Ign<!-- -->ore"); at a word's edge, emphasis and strike-through markers ("all **previous**
// instructions", "_previous_"); anywhere, inline formatting tags ("prev<span>ious</span>"). A reader sees the
// words, and so does a model. An underscore inside a word is no emphasis ("customer_id", "im_start"), and
// backticks at a word's edge quote code, which the rules weigh as a quotation: both are kept.
const INLINE_TAG =
  '<\\/?(?:b|i|u|s|em|strong|span|mark|small|sub|sup|code|font|ins|del|wbr|abbr|bdi|cite|dfn|kbd|q|samp|time|var)(?: [^<>]{0,200})?\\/?>';
const IN_WORD_MARKUP = new RegExp(
  `(?<=\\p{L})(?:[*~\`]+|<!--(?:(?!-->)[\\s\\S]){0,200}-->|${INLINE_TAG})+(?=\\p{L})|(?<=\\p{L})[*~]+|[*~]+(?=\\p{L})|(?<![\\p{L}\\p{N}])_+(?=\\p{L})|(?<=\\p{L})_+(?![\\p{L}\\p{N}])|${INLINE_TAG}`,
  'gu',
);
const MARKUP_HINT = /[*~`<_]/;

/**
 * The text as rendered, when `normalized` holds markup that renders as nothing: the same text without it,
 * each character keeping its original offset; undefined when there is none. The rules read both: markup can
 * hide a word from one reading (the source) and not from the other (the rendered page).
 */
export function renderedReading(normalized: NormalizedText): NormalizedText | undefined {
  if (!MARKUP_HINT.test(normalized.text)) return undefined;
  const spans = [...normalized.text.matchAll(IN_WORD_MARKUP)];
  if (spans.length === 0) return undefined;
  const chars: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  let at = 0;
  const keep = (to: number) => {
    chars.push(normalized.text.slice(at, to));
    for (let index = at; index < to; index += 1) {
      start.push(normalized.start[index] ?? 0);
      end.push(normalized.end[index] ?? 0);
    }
  };
  for (const span of spans) {
    keep(span.index);
    at = span.index + span[0].length;
  }
  keep(normalized.text.length);
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
