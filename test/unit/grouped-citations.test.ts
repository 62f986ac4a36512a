// Finding 2 of the grounding review: a grouped citation ("[1, 2]", "[1,2]") was no marker to the rails, so the
// sentence counted as uncited, its 1 and 2 were read as claimed numbers, and the Answer's renumbering passed
// it over. A group cites each of its numbers wherever markers are read, checked and renumbered.
import { citeInOrder } from '../../subgraph/features/ask';
import { checkAnswer } from '../../subgraph/guardrails/grounding';
import { answerFormatVerdict, unknownCitations } from '../../subgraph/guardrails/output/answer-format';
import { railAnswer } from '../../subgraph/guardrails/output/answer-rails';
import type { LexicalHit } from '../../subgraph/retrieval/store/document-store';

const passages = [
  { index: 1, text: 'Refunds go to the original card.' },
  { index: 2, text: 'Refunds are paid to the original card within five business days.' },
  { index: 3, text: 'Support is available in English and German.' },
];

function hit(n: number): LexicalHit {
  return {
    tenantId: 'acme',
    documentId: `doc-${n}`,
    chunkId: `doc-${n}#0`,
    documentVersion: 1,
    title: `Title ${n}`,
    content: passages[n - 1]?.text ?? `Content ${n}.`,
    snippet: `snippet ${n}`,
    score: 1,
    flag: null,
    screenVersion: null,
  };
}
const hits = [hit(1), hit(2), hit(3)];

describe('finding 2: grouped citations like [1, 2] are misread', () => {
  describe('grounding', () => {
    it.each(['[1, 2]', '[1,2]', '[1][2]', '[2, 1]', '[1; 2]', '[1-2]', '[1–2]'])(
      'reads %s as citing passages 1 and 2, not as the numbers 1 and 2',
      (marker) => {
        const answer = `They go to the original card ${marker}.`;
        expect(checkAnswer(answer, passages, 'reject')).toEqual({
          outcome: 'pass',
          text: answer,
          dropped: [],
          supportRatio: 1,
        });
      },
    );

    it('checks a grouped sentence against the passages it cites, and reports them', () => {
      const result = checkAnswer('Support is available in German [1, 2].', passages, 'drop');
      expect(result.outcome).toBe('rejected');
      expect(result.dropped).toEqual([expect.objectContaining({ cited: [1, 2], reason: 'missing-fact' })]);
      expect(checkAnswer('Support is available in German [1, 3].', passages, 'reject').outcome).toBe('pass');
    });

    it('gives a grouped marker opening a sentence to the sentence before it', () => {
      const answer = 'They go to the original card. [1, 2] Support speaks German [3].';
      const result = checkAnswer(answer, passages, 'reject', {
        minSentenceSupport: 0.4,
        minSupportRatio: 0.5,
        uncited: 'unsupported',
      });
      expect(result.outcome).toBe('pass');
    });
  });

  describe('format and citations rails', () => {
    it('counts a grouped marker as a citation, and each of its numbers', () => {
      expect(answerFormatVerdict('They go to the original card [1, 2].', 2)).toEqual({ ok: true });
      expect(answerFormatVerdict('They go to the original card [1,2].', 2)).toEqual({ ok: true });
      expect(answerFormatVerdict('They go to the original card [7, 8].', 2)).toMatchObject({
        ok: false,
        problem: 'only citations of passages not given',
      });
      expect(unknownCitations('They go to the original card [1, 7].', 2)).toEqual([7]);
    });
  });

  describe('renumbering (citeInOrder)', () => {
    it('renumbers a group as a whole, written as [n] markers, ascending', () => {
      const { text, citations } = citeInOrder('Paid within days [2]. To the card [1, 2].', hits);
      expect(citations.map((c) => c.documentId)).toEqual(['doc-2', 'doc-1']);
      expect(text).toBe('Paid within days [1]. To the card [1][2].');
    });

    it('cites every passage of a group in order of first citation', () => {
      const { text, citations } = citeInOrder('To the card [3,1]. German [2].', hits);
      expect(citations.map((c) => c.documentId)).toEqual(['doc-3', 'doc-1', 'doc-2']);
      expect(text).toBe('To the card [1][2]. German [3].');
    });

    it('drops a group’s numbers that name no passage, and a group left with none', () => {
      expect(citeInOrder('To the card [1, 9]. Made up [7, 8].', hits)).toEqual({
        text: 'To the card [1]. Made up.',
        citations: [expect.objectContaining({ documentId: 'doc-1' })],
      });
    });

    it('keeps a correct grouped sentence through the rails, each citation naming its passage', () => {
      const railed = railAnswer(
        'Refunds are paid within five business days [2]. They go to the original card [1, 2].',
        passages,
        'drop',
      );
      expect(railed.kind).toBe('answer');
      const text = railed.kind === 'answer' ? railed.text : '';
      const cited = citeInOrder(text, hits);
      expect(cited.text).toBe(
        'Refunds are paid within five business days [1]. They go to the original card [1][2].',
      );
      expect(cited.citations.map((c) => c.documentId)).toEqual(['doc-2', 'doc-1']);
    });
  });
});
