// Words in scripts written without spaces (Chinese, Japanese, Thai) are counted as words, not as one run, by
// the extractive floor and by the model path's word cap; Chinese and Japanese sentences end at 。！？; a text
// opening on a bound's worth of whitespace still has a floor; the summarize prompt's reply bound grows with maxWords.
import { leadingText } from '../../subgraph/features/extractive/leading-text';
import { MAX_RANKED_CHARS, extractiveSummary } from '../../subgraph/features/extractive/summarize-extractive';
import { capWords, wordCount } from '../../subgraph/features/word-cap';
import { PromptLibrary } from '../../subgraph/gateway/prompts/prompt-library';

const ZH_SENTENCES = [
  '本公司今年的收入增长了百分之二十。',
  '增长主要来自企业客户的续约。',
  '我们计划明年扩展到东南亚市场！',
  '办公室的咖啡机在三月更换了。',
];
const ZH = ZH_SENTENCES.join('').repeat(1_000);

describe('words in unspaced scripts', () => {
  it('counts Chinese, Japanese and Thai words, and Latin ones as before', () => {
    expect(wordCount('本公司今年的收入增长了百分之二十。')).toBeGreaterThan(5);
    expect(wordCount('今日は良い天気です。')).toBe(5);
    expect(wordCount('สวัสดีครับ ผมชื่อสมชาย')).toBe(5);
    expect(wordCount('  Hello,   world — state-of-the-art e.g. 3.14  ')).toBe(6);
  });

  it('stops counting once past the limit', () => {
    expect(wordCount(ZH, 20)).toBe(21);
  });

  it('caps a model reply in Chinese at maxWords words', () => {
    const capped = capWords(ZH, 20);
    expect(capped.endsWith('…')).toBe(true);
    expect(capped.length).toBeLessThan(100);
    expect(wordCount(capped.slice(0, -1))).toBe(20);
    expect(ZH.startsWith(capped.slice(0, -1))).toBe(true);
  });

  it('leaves Latin capping as it was', () => {
    expect(capWords('  one two   three four  ', 2)).toBe('one two…');
    expect(capWords(' one two ', 2)).toBe('one two');
  });

  it('gives a Chinese floor of whole sentences within maxWords, not the whole text', () => {
    const started = performance.now();
    const summary = extractiveSummary(ZH, 20);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(summary.length).toBeGreaterThan(0);
    expect(summary.length).toBeLessThan(200);
    expect(wordCount(summary)).toBeLessThanOrEqual(20);
    for (const sentence of summary.split(/(?<=[。！？])/u)) expect(ZH_SENTENCES).toContain(sentence);
  });

  it('truncates a Chinese lead longer than maxWords at a word, marked with …', () => {
    const unbroken = '本公司今年的收入增长了百分之二十增长主要来自企业客户的续约'.repeat(50);
    const summary = extractiveSummary(unbroken, 10);
    expect(summary.endsWith('…')).toBe(true);
    expect(wordCount(summary.slice(0, -1))).toBeLessThanOrEqual(10);
    expect(unbroken.startsWith(summary.slice(0, -1))).toBe(true);
  });

  it('cuts a long Chinese text at a sentence end', () => {
    const lead = leadingText(ZH, 1_000);
    expect(lead.length).toBeLessThanOrEqual(1_000);
    expect(lead.length).toBeGreaterThan(500);
    expect(/[。！？]$/u.test(lead)).toBe(true);
  });
});

describe('a text opening on whitespace', () => {
  const words = Array.from({ length: 300 }, (_, i) => `word${i % 17}`);
  const sentences = Array.from({ length: 30 }, (_, i) => `${words.slice(i * 10, i * 10 + 10).join(' ')}.`);
  const text = ' '.repeat(MAX_RANKED_CHARS + 10_000) + sentences.join(' ');

  it('still has a floor', () => {
    expect(extractiveSummary(text, 50)).not.toBe('');
  });

  it('leads with its content', () => {
    expect(leadingText(text, 1_000).startsWith('word0 ')).toBe(true);
    expect(leadingText(`${' '.repeat(2_000)}short.`, 1_000)).toBe('short.');
  });
});

describe('the summarize prompt', () => {
  const library = new PromptLibrary(undefined);

  it('lets a long summary asked for be written out', () => {
    expect(library.render('summarize', { text: 'x', maxWords: 1_000 }).maxTokens).toBeGreaterThanOrEqual(
      1_400,
    );
  });

  it('keeps its bound for short ones', () => {
    expect(library.render('summarize', { text: 'x', maxWords: 100 }).maxTokens).toBe(600);
    expect(library.render('summarize', { text: 'x', maxWords: 300 }).maxTokens).toBe(600);
  });
});
