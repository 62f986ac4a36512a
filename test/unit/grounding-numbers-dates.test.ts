// Finding 1 of the grounding review: digits that follow a "." or "," were skipped, so "31.12.2027" read as
// 31.12, "4,9 %" as 4 and "€4,99" as €4, and a changed year or decimal passed as grounded; full-width digits
// were no numbers at all. A figure is read whole, as real text writes it, in answers and summaries alike.
import { checkAnswer, checkSummary, supportOf } from '../../subgraph/guardrails/grounding';

const against = (claim: string, source: string) =>
  checkAnswer(claim, [{ index: 1, text: source }], 'reject').outcome;
const missing = (claim: string, source: string) => supportOf(claim, [source]).missing;

describe('finding 1: grounding misses digits that follow a "." or ","', () => {
  describe('dd.mm.yyyy dates', () => {
    it('rejects a changed year, day or month of a dotted date', () => {
      const source = 'The contract ends on 31.12.2026.';
      expect(against('The contract ends on 31.12.2027 [1].', source)).toBe('rejected');
      expect(against('The contract ends on 30.12.2026 [1].', source)).toBe('rejected');
      expect(against('The contract ends on 31.11.2026 [1].', source)).toBe('rejected');
      expect(missing('The contract ends on 31.12.2027.', source)).toEqual([
        { kind: 'date', text: '31.12.2027' },
      ]);
    });

    it('passes the same date, dotted or in another format', () => {
      const source = 'The contract ends on 31.12.2026.';
      expect(against('The contract ends on 31.12.2026 [1].', source)).toBe('pass');
      expect(against('The contract ends on 31 December 2026 [1].', source)).toBe('pass');
      expect(against('The contract ends on 2026-12-31 [1].', source)).toBe('pass');
      expect(against('The contract ends on 31.12.2026 [1].', 'The contract ends on December 31, 2026.')).toBe(
        'pass',
      );
    });

    it('reads a slashed date either way round, and only those two ways', () => {
      expect(against('The contract ends on 03/04/2026 [1].', 'The contract ends on 3 April 2026.')).toBe(
        'pass',
      );
      expect(against('The contract ends on 03/04/2026 [1].', 'The contract ends on March 4, 2026.')).toBe(
        'pass',
      );
      expect(against('The contract ends on 31/12/2026 [1].', 'The contract ends on 31 December 2026.')).toBe(
        'pass',
      );
      expect(against('The contract ends on 03/04/2026 [1].', 'The contract ends on 5 April 2026.')).toBe(
        'rejected',
      );
      expect(against('The contract ends on 03/04/2027 [1].', 'The contract ends on 3 April 2026.')).toBe(
        'rejected',
      );
    });
  });

  describe('decimal commas', () => {
    it('rejects a changed decimal written with a comma, and passes it restated', () => {
      expect(against('The rate is 4,9 % [1].', 'The rate is 4,5 %.')).toBe('rejected');
      expect(missing('The rate is 4,9 %.', 'The rate is 4,5 %.')).toEqual([{ kind: 'number', text: '4,9' }]);
      expect(against('The rate is 4,5 % [1].', 'The rate is 4,5 %.')).toBe('pass');
      expect(against('The rate is 4.5 % [1].', 'The rate is 4,5 %.')).toBe('pass');
      expect(against('The rate is 0,5 % [1].', 'The rate is 0.5 %.')).toBe('pass');
      expect(against('Revenue was 1,5 million dollars [1].', 'Revenue was $1,500,000.')).toBe('pass');
    });

    it('reads an amount with a decimal comma whole: "€4,99" is not "€4,49"', () => {
      expect(against('The fee is €4,99 [1].', 'The fee is €4,49.')).toBe('rejected');
      expect(missing('The fee is €4,99.', 'The fee is €4,49.')).toEqual([{ kind: 'amount', text: '€4,99' }]);
      expect(against('The fee is €4,49 [1].', 'The fee is €4,49.')).toBe('pass');
      // The sign after the figure, as continental text writes it.
      expect(against('The fee is 4,49 € [1].', 'The fee is €4.49.')).toBe('pass');
      expect(against('The fee is 4,99 € [1].', 'The fee is €4.49.')).toBe('rejected');
    });

    it('keeps thousands separators: "1,200" and "1200" are one figure, and so are both conventions', () => {
      expect(against('It costs 1,200 units [1].', 'It costs 1200 units.')).toBe('pass');
      expect(against('It costs 1200 units [1].', 'It costs 1,200 units.')).toBe('pass');
      expect(against('It costs 1.200.000 units [1].', 'It costs 1,200,000 units.')).toBe('pass');
      expect(against('It costs 1,234.56 units [1].', 'It costs 1.234,56 units.')).toBe('pass');
      expect(against('It costs 1\u00A0234,56 units [1].', 'It costs 1,234.56 units.')).toBe('pass');
      expect(against('It costs 1,234.57 units [1].', 'It costs 1.234,56 units.')).toBe('rejected');
    });
  });

  describe('runs that are no one number', () => {
    it('reads every group: a changed version part is a changed fact', () => {
      expect(against('Install version 2.4.1 now [1].', 'Install version 2.4.1 now.')).toBe('pass');
      expect(against('Install version 2.4.7 now [1].', 'Install version 2.4.1 now.')).toBe('rejected');
      expect(missing('Pages 1,2,9 cover it.', 'Pages 1, 2 and 3 cover it.')).toEqual([
        { kind: 'number', text: '9' },
      ]);
      expect(missing('Pages 1,2,3 cover it.', 'Pages 1, 2 and 3 cover it.')).toEqual([]);
    });
  });

  describe('digits of other scripts', () => {
    it('reads full-width digits as digits, in the answer and in the source', () => {
      expect(against('Refunds are paid within ３０ days [1].', 'Refunds are paid within 90 days.')).toBe(
        'rejected',
      );
      expect(against('Refunds are paid within ３０ days [1].', 'Refunds are paid within 30 days.')).toBe(
        'pass',
      );
      expect(against('Refunds are paid within 30 days [1].', 'Refunds are paid within ３０ days.')).toBe(
        'pass',
      );
      expect(against('The rate is ４，９ % [1].', 'The rate is 4,5 %.')).toBe('rejected');
    });
  });

  describe('summarize shares the check', () => {
    it('rejects a summary with a changed dotted date or decimal comma, and passes a faithful one', () => {
      const source = 'The contract ends on 31.12.2026. The rate is 4,5 % and the fee €4,49.';
      expect(checkSummary('The contract ends on 31.12.2027.', source)).toEqual({
        outcome: 'rejected',
        missing: [{ kind: 'date', text: '31.12.2027' }],
      });
      expect(checkSummary('The rate is 4,9 %.', source).outcome).toBe('rejected');
      expect(checkSummary('The fee is €4,99.', source).outcome).toBe('rejected');
      expect(checkSummary('Ends 31 December 2026; rate 4.5 %, fee 4,49 €.', source).outcome).toBe('pass');
    });
  });
});
