// The answer rails on the replies of the rail findings: an answer left citing nothing after grounding is
// rejected, and a short citation-free reply ending with NO_ANSWER is an abstention.
import { answerFormatVerdict, isAbstention } from '../../subgraph/guardrails/output/answer-format';
import { railAnswer } from '../../subgraph/guardrails/output/answer-rails';

const passages = [{ index: 1, text: 'Refunds are processed within 14 days of the request.' }];

describe('finding 1: an answer must cite', () => {
  it('rejects an answer whose only cited sentence is dropped, leaving an uncited one', () => {
    const reply = 'Refunds are processed within 14 days of the request. Enterprise refunds take 30 days [1].';
    expect(answerFormatVerdict(reply, 1)).toEqual({ ok: true });
    const railed = railAnswer(reply, passages, 'drop');
    expect(railed.kind).toBe('rejected');
    expect(railed.outcomes.at(-1)).toMatchObject({ rail: 'grounding', outcome: 'rejected' });
  });

  it('rejects an answer citing no given passage at all', () => {
    expect(railAnswer('Refunds are processed within 14 days of the request.', passages, 'drop').kind).toBe(
      'rejected',
    );
  });

  it('keeps an answer that still cites after a sentence is dropped', () => {
    const reply =
      'Refunds are processed within 14 days of the request [1]. Enterprise refunds take 30 days [1].';
    expect(railAnswer(reply, passages, 'drop')).toMatchObject({
      kind: 'answer',
      text: 'Refunds are processed within 14 days of the request [1].',
    });
  });
});

describe('finding 3: an abstention in prose', () => {
  it.each([
    'NO_ANSWER',
    '"no_answer."',
    'The passages do not say. NO_ANSWER',
    'The passages do not say.\n\nNO_ANSWER.',
    'The passages do not mention who approves refunds: **NO_ANSWER**',
  ])('%j is an abstention, and passes the format rail', (reply) => {
    expect(isAbstention(reply)).toBe(true);
    expect(answerFormatVerdict(reply, 1)).toEqual({ ok: true });
    expect(railAnswer(reply, passages, 'drop').kind).toBe('abstained');
  });

  it.each([
    'Refunds take 14 days [1]. NO_ANSWER',
    'The token NO_ANSWER means nothing was found, and the passages say refunds take 14 days.',
    `${'The passages say nothing about it. '.repeat(15)}NO_ANSWER`,
    'NO_ANSWERS',
    'NO_ANSWER, but the passages mention refunds.',
  ])('%j is not an abstention', (reply) => {
    expect(isAbstention(reply)).toBe(false);
  });
});
