// storableText / storableDelta: model output made storable in PostgreSQL (no NUL, no unpaired surrogate).
import { storableDelta, storableText } from '../../subgraph/text/storable-text';

describe('storableText', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD, and keeps pairs', () => {
    expect(storableText('crates\u0000 weighed')).toBe('crates\uFFFD weighed');
    expect(storableText('half \uD83D pair')).toBe('half \uFFFD pair');
    expect(storableText('tail \uDE00')).toBe('tail \uFFFD');
    expect(storableText('whole 😀 pair')).toBe('whole 😀 pair');
  });

  it('returns the very string when there is nothing to replace', () => {
    const clean = `clean ${Date.now()}`;
    expect(storableText(clean)).toBe(clean);
  });
});

describe('storableDelta', () => {
  it('replaces NUL but leaves a surrogate half for the next delta to complete', () => {
    const emoji = '😀';
    const [high, low] = [emoji[0] as string, emoji[1] as string];
    expect(storableDelta(`a\u0000${high}`)).toBe(`a\uFFFD${high}`);
    expect(storableText(storableDelta(`a${high}`) + storableDelta(`${low}b`))).toBe(`a${emoji}b`);
  });
});
