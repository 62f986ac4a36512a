// Digit groups are printed with any space character between them, not only U+0020: word processors and
// locales put a no-break space (U+00A0), a narrow no-break space (U+202F, the French thousands separator) or a
// thin space (U+2009) there. The number detectors read the text with every space separator (Unicode Zs) made
// a plain space; each is one UTF-16 unit, so the offsets they report hold for the original text.
const SPACE_SEPARATOR = /\p{Zs}/gu;

export const withPlainSpaces = (text: string): string => text.replace(SPACE_SEPARATOR, ' ');
