// Finding (outside review): a cut inside a number written in groups left its parts unredacted. A chunk of a long
// run of text with no sentence end was cut at the space nearest the window's end, and a snippet's window at the
// nearest space too: inside an IBAN or a card written in groups, each piece fails the value's checksum, so the
// redactor passed both and "IBAN DE89 3704 0044 0532" reached the provider (redactBeforeProvider) and the kept
// samples. A cut never falls at a space between two groups of such a number now.
import { redact } from '../../subgraph/guardrails/pii/redact';
import { chunkText } from '../../subgraph/retrieval/chunking';
import { snippetOf } from '../../subgraph/retrieval/snippet';
import { isGroupSpace } from '../../subgraph/text/grouped-values';

const VALUES = {
  iban: 'DE89 3704 0044 0532 0130 00',
  card: '4111 1111 1111 1111',
  phone: '+1 415 555 0100',
};
/** A group of each value that would show in a piece left unredacted. */
const PARTS = { iban: /DE89|3704|0532|0130/, card: /4111|1111/, phone: /415|0100/ };

/** `words` of unpunctuated filler (a ledger export: no sentence end to cut at), the value, then more filler. */
const ledger = (before: number, value: string): string =>
  `${'ledger entry refund paid '.repeat(before)}payee Jane Roe ${value} paid ${'entry refund '.repeat(40)}`;

describe('a cut inside a number written in groups left its parts unredacted', () => {
  it.each(Object.entries(VALUES))(
    'no chunk holds a part of a %s the redactor passes, wherever the cut falls',
    (kind, value) => {
      const part = PARTS[kind as keyof typeof PARTS];
      // The value's place moves a character at a time across the window's end and the next chunk's start.
      for (let shift = 0; shift < 60; shift += 1) {
        const text = `${'x'.repeat(shift)} ${ledger(6, value)}`;
        for (const chunk of chunkText(text, { maxChars: 200, overlapChars: 20 }))
          expect(redact(chunk.text).text).not.toMatch(part);
      }
    },
  );

  it.each(Object.entries(VALUES))('no snippet holds a part of a %s the redactor passes', (kind, value) => {
    const part = PARTS[kind as keyof typeof PARTS];
    for (let before = 0; before < 40; before += 1) {
      for (const pad of ['', 'a', 'ab', 'abc']) {
        const snippet = snippetOf(`${pad} ${ledger(before, value)}`, 'refund ledger');
        expect(redact(snippet).text).not.toMatch(part);
      }
    }
  });

  it('takes a space between groups of digits and capitals for one, and none in prose', () => {
    const at = (text: string, word: string) => isGroupSpace(text, text.indexOf(word) - 1);
    expect(at('IBAN GB82 WEST 1234 5698', 'WEST')).toBe(true);
    expect(at('call +1 415 555 0100', '555')).toBe(true);
    expect(at('SSN 123 45 6789', '45')).toBe(true);
    expect(at('Jane Roe paid', 'Roe')).toBe(false);
    expect(at('room 12 on floor', 'on')).toBe(false);
    expect(at('ACME LTD paid', 'LTD')).toBe(false);
    expect(at('order 1234567 shipped', 'shipped')).toBe(false);
  });
});
