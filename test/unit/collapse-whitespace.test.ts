import { collapseWhitespace } from '../../subgraph/text/collapse-whitespace';

describe('collapseWhitespace', () => {
  it.each([
    ['plain words with single spaces', 'plain words with single spaces'],
    ['two  spaces', 'two spaces'],
    ['a\tb', 'a b'],
    ['line\r\nbreak', 'line break'],
    ['mixed \t\n run', 'mixed run'],
    ['\u00a0nbsp and\u2028separator ', ' nbsp and separator '],
    ['   ', ' '],
    ['', ''],
  ])('collapses %j as /\\s+/g → " " would', (text, collapsed) => {
    expect(collapseWhitespace(text)).toBe(collapsed);
    expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, ' '));
  });
});
