// The two-target answer route the gateway suites hedge, repair and fall back on: OpenAI's primary first, then
// Anthropic's secondary, and the document both answer about. The secondary's answer passes every rail, so
// whatever the primary does, a test knows what the secondary would have said.

export const PRIMARY = 'gpt-primary';
export const SECONDARY = 'claude-secondary';

/** The route's chain: the primary, then the secondary (hedged or not, as each suite's route says). */
export const PRIMARY_THEN_SECONDARY = [
  { provider: 'openai', model: PRIMARY },
  { provider: 'anthropic', model: SECONDARY },
];

/** The document both targets answer about, and the secondary's answer to it. */
export const ALBATROSS = {
  guide: {
    id: 'albatross-guide',
    title: 'Albatross field guide',
    body:
      'Albatrosses nest on remote oceanic islands. They feed on squid and fish caught near the surface. ' +
      'An albatross can glide for hours without flapping its wings. Pairs stay together for many years.',
  },
  /** Cited and grounded in the guide: the output rails pass it. */
  secondaryAnswer: 'Albatrosses nest on remote oceanic islands [1].',
};
