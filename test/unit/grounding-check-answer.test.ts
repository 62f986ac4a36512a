// checkAnswer: each sentence against the passages it cites; unsupported sentences dropped (policy drop) or the
// answer rejected (policy reject), and rejected either way when too little of it is supported.
import { DEFAULT_GROUNDING_THRESHOLDS, checkAnswer } from '../../subgraph/guardrails/grounding';

const passages = [
  { index: 1, text: 'Refunds are paid to the original card within five business days.' },
  { index: 2, text: 'Enterprise customers may request a refund within 30 days of purchase.' },
  { index: 3, text: 'Support is available in English and German from 9:00 to 17:00 CET.' },
];

describe('checkAnswer', () => {
  it('passes a grounded answer unchanged', () => {
    const answer = 'Refunds are paid within five business days [1]. Customers may ask within 30 days [2].';
    expect(checkAnswer(answer, passages, 'drop')).toEqual({
      outcome: 'pass',
      text: answer,
      dropped: [],
      supportRatio: 1,
    });
  });

  it('checks a sentence against the passages it cites, not the others', () => {
    // True of passage 2, but it cites passage 1.
    const result = checkAnswer(
      'Refunds are paid within 5 days [1]. Customers may ask within 30 days [1].',
      passages,
      'drop',
    );
    expect(result.outcome).toBe('fixed');
    expect(result.text).toBe('Refunds are paid within 5 days [1].');
    expect(result.dropped).toEqual([
      expect.objectContaining({
        text: 'Customers may ask within 30 days [1].',
        cited: [1],
        reason: 'missing-fact',
      }),
    ]);
  });

  it('drops an invented figure under drop, keeping the rest with its line breaks', () => {
    const answer =
      'Refunds are paid within five business days [1].\nCustomers may ask within 90 days [2].\nSupport speaks German [3].';
    const result = checkAnswer(answer, passages, 'drop');
    expect(result).toMatchObject({
      outcome: 'fixed',
      text: 'Refunds are paid within five business days [1].\nSupport speaks German [3].',
      supportRatio: 2 / 3,
    });
    expect(result.dropped[0]?.missing).toEqual([{ kind: 'number', text: '90' }]);
  });

  it('rejects the same answer under reject', () => {
    const answer = 'Refunds are paid within five business days [1]. Customers may ask within 90 days [2].';
    expect(checkAnswer(answer, passages, 'reject').outcome).toBe('rejected');
  });

  it('rejects under drop when less than the minimum share is supported', () => {
    const answer =
      'Refunds are paid within five business days [1]. Payouts go to crypto wallets [1]. Customers may ask within 90 days [2].';
    const result = checkAnswer(answer, passages, 'drop');
    expect(result.outcome).toBe('rejected');
    expect(result.supportRatio).toBeCloseTo(1 / 3);
    expect(result.dropped.map((dropped) => dropped.reason)).toEqual(['low-overlap', 'missing-fact']);
  });

  it('treats a sentence citing only unknown passages as unsupported', () => {
    const result = checkAnswer(
      'Refunds are paid within five business days [1]. Refunds are paid fast [7].',
      passages,
      'drop',
    );
    expect(result.dropped).toEqual([expect.objectContaining({ cited: [7], reason: 'unknown-citation' })]);
  });

  it('checks an uncited sentence against every passage by default, or drops it when told to', () => {
    const answer = 'Support speaks English and German. Refunds are paid within five business days [1].';
    expect(checkAnswer(answer, passages, 'drop').outcome).toBe('pass');
    const strict = checkAnswer(answer, passages, 'drop', {
      ...DEFAULT_GROUNDING_THRESHOLDS,
      uncited: 'unsupported',
    });
    expect(strict.dropped).toEqual([
      expect.objectContaining({ text: 'Support speaks English and German.', reason: 'uncited' }),
    ]);
    expect(strict.text).toBe('Refunds are paid within five business days [1].');
  });

  it('gives markers that open a sentence to the sentence before them', () => {
    const answer = 'Refunds are paid within five business days. [1] Customers may ask within 30 days. [2]';
    const result = checkAnswer(answer, passages, 'drop', {
      ...DEFAULT_GROUNDING_THRESHOLDS,
      uncited: 'unsupported',
    });
    expect(result.outcome).toBe('pass');
  });

  it('neither counts nor drops a sentence that claims nothing', () => {
    const result = checkAnswer(
      'Refunds are paid within five business days [1]. That is all.',
      passages,
      'drop',
    );
    expect(result).toMatchObject({ outcome: 'pass', supportRatio: 1 });
  });
});
