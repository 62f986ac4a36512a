// The walk the unserved-cost suites make a tenant pay for: a primary whose replies the output rails refuse,
// then a fallback that answers, both priced, about one document. What the refused replies cost settles against
// the tenant's cap, so it must reach the ledger too, however the walk then ends (the caller leaves, the stream
// fails, a stale entry or an overload refusal is served).

export const REFUSED_MODEL = 'gpt-refused';
const FALLBACK_MODEL = 'claude-fallback';

export const REFUSED_THEN_FALLBACK = {
  /** The refused primary, then the fallback; never raced (hedging off), so each runs in turn. */
  route: {
    chain: [
      { provider: 'openai', model: REFUSED_MODEL },
      { provider: 'anthropic', model: FALLBACK_MODEL },
    ],
    hedge: false,
  },
  /** Both targets priced, differently, so each one's share shows in what settles. */
  prices: {
    [`openai:${REFUSED_MODEL}`]: { inputPerMillion: 3, outputPerMillion: 7 },
    [`anthropic:${FALLBACK_MODEL}`]: { inputPerMillion: 2, outputPerMillion: 5 },
  },
};

/** The document the walk answers about, the primary's reply to it and the fallback's. */
export const LIGHTHOUSE = {
  document: {
    id: 'lighthouse',
    title: 'Lighthouse log',
    body: 'The lighthouse keeper logs every passing ship. Storm warnings go out by radio at dusk.',
  },
  /** No citation marker: the format rail refuses it and asks for a repair, which is refused the same way. */
  uncitedAnswer: 'The keeper logs every passing ship.',
  /** Cited and grounded in the document: every rail passes it. */
  citedAnswer: 'The keeper logs every passing ship and sends storm warnings by radio at dusk [1].',
  /** askStream asked about the document, each event selecting only its __typename. */
  askStream: `subscription { askStream(input: { question: "What does the lighthouse keeper log?" }) { __typename } }`,
};

export const QUARTERLY_REPORT =
  'The quarterly report shows that revenue grew while costs stayed flat across every region.';
/** A number, a year and a name QUARTERLY_REPORT lacks: the summary rail refuses it, with no repair. */
export const INVENTED_SUMMARY = 'Revenue grew by 87 percent in 2031, said Bartholomew Quince.';
