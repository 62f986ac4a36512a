import fc from 'fast-check';
import {
  RedactionContext,
  createStreamRestorer,
  redact,
  redactForLog,
  redactLogValue,
  restore,
} from '../../subgraph/guardrails/pii';

describe('redact and restore', () => {
  it('replaces each value with a typed placeholder and says where it found them', () => {
    const text = 'Mail ana@example.com or call +44 20 7946 0958.';
    const result = redact(text);
    expect(result.text).toBe('Mail ⟦EMAIL_1⟧ or call ⟦PHONE_1⟧.');
    expect(result.found).toEqual([
      { kind: 'EMAIL', start: 5, end: 20 },
      { kind: 'PHONE', start: 29, end: 45 },
    ]);
    expect(result.placeholders.get('⟦PHONE_1⟧')).toEqual({ kind: 'PHONE', value: '+44 20 7946 0958' });
  });

  it('gives the same value the same placeholder, also spelled differently, and a new value the next number', () => {
    const result = redact(
      'ana@example.com, ANA@example.com, bo@example.com, 4111111111111111, 4111 1111 1111 1111',
    );
    expect(result.text).toBe('⟦EMAIL_1⟧, ⟦EMAIL_1⟧, ⟦EMAIL_2⟧, ⟦CARD_1⟧, ⟦CARD_1⟧');
  });

  it('shares numbering across the question and the chunks of one request through a context', () => {
    const context = new RedactionContext();
    const question = redact('Who owns ana@example.com?', context);
    const chunk = redact('Account of bo@example.com; ana@example.com is the admin.', context);
    expect(question.text).toBe('Who owns ⟦EMAIL_1⟧?');
    expect(chunk.text).toBe('Account of ⟦EMAIL_2⟧; ⟦EMAIL_1⟧ is the admin.');
    expect(restore('⟦EMAIL_1⟧ and ⟦EMAIL_2⟧', context.placeholders)).toBe(
      'ana@example.com and bo@example.com',
    );
  });

  it('keeps separate requests apart: a new context starts numbering again', () => {
    redact('ana@example.com', new RedactionContext());
    expect(redact('bo@example.com').text).toBe('⟦EMAIL_1⟧');
  });

  it('restores placeholders a model echoed, padded or not, and leaves unknown ones as written', () => {
    const { placeholders } = redact('card 4111 1111 1111 1111');
    expect(restore('Charged ⟦ CARD_1 ⟧ (not ⟦CARD_2⟧).', placeholders)).toBe(
      'Charged 4111 1111 1111 1111 (not ⟦CARD_2⟧).',
    );
  });

  it('round-trips any text with generated cards and emails in it', () => {
    const cardDigits = fc.constantFrom(
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
    );
    const piece = fc.oneof(
      fc.string({ maxLength: 12 }).map((text) => text.replace(/[⟦⟧]/g, '')),
      cardDigits,
      fc.emailAddress(),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const text = pieces.join(' ');
        const result = redact(text);
        expect(restore(result.text, result.placeholders)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('createStreamRestorer', () => {
  it('holds back a placeholder split across deltas until it is complete', () => {
    const { placeholders } = redact('ana@example.com');
    const stream = createStreamRestorer(placeholders);
    expect(stream.push('Write to ⟦EMA')).toBe('Write to ');
    expect(stream.push('IL_1⟧ today')).toBe('ana@example.com today');
    expect(stream.flush()).toBe('');
  });

  it('does not hold back an opening bracket that never closes past a placeholder’s length', () => {
    const stream = createStreamRestorer(new Map());
    expect(stream.push('a ⟦ b')).toBe('a ');
    expect(stream.push(' and then a long sentence without any closing bracket')).toBe(
      '⟦ b and then a long sentence without any closing bracket',
    );
    expect(stream.push(' ⟦X')).toBe(' ');
    expect(stream.flush()).toBe('⟦X');
  });
});

describe('log-safe redaction', () => {
  it('replaces values with their kind only', () => {
    expect(redactForLog('user ana@example.com from 10.1.2.3 paid 4111 1111 1111 1111')).toBe(
      'user [EMAIL] from [IP] paid [CARD]',
    );
  });

  it('redacts every string of a log object, nested, leaving other values as they are', () => {
    expect(redactLogValue({ msg: 'from 10.1.2.3', detail: { to: ['ana@example.com'], count: 3 } })).toEqual({
      msg: 'from [IP]',
      detail: { to: ['[EMAIL]'], count: 3 },
    });
  });

  it('copies a log object only where a value changed, and never changes the one it was given', () => {
    const clean = { msg: 'served', stages: { 'model.answer': 12.5 }, rails: ['echo'] };
    expect(redactLogValue(clean)).toBe(clean);
    const given = { ok: { n: 1 }, mixed: ['fine', 'ana@example.com'], nested: { to: 'bo@example.com' } };
    const redacted = redactLogValue(given) as typeof given;
    expect(redacted).toEqual({ ok: { n: 1 }, mixed: ['fine', '[EMAIL]'], nested: { to: '[EMAIL]' } });
    expect(redacted.ok).toBe(given.ok);
    expect(given).toEqual({
      ok: { n: 1 },
      mixed: ['fine', 'ana@example.com'],
      nested: { to: 'bo@example.com' },
    });
  });
});
