// Operator review: the dashboard's "Circuit state" panel showed "No data" for healthy targets. ai_circuit_open
// was set only when a circuit changed state, so a target that never failed (or was never called) had no series.
// Now every routed target's circuit is exported from the start, 0 while closed.
import { useHarness } from '../support/harness';

describe('the dashboard’s circuit panel showed No data for healthy targets', () => {
  const harness = useHarness({ providers: ['openai', 'anthropic'] });

  it('exports every routed target’s circuit as closed (0) before any call, and after a successful one', async () => {
    const before = (await harness.metrics()).find('ai_circuit_open');
    const providers = new Set(before.map((sample) => sample.labels.provider));
    expect(providers).toEqual(new Set(['openai', 'anthropic']));
    // Main, small and embedding models of each provider: more than one target each.
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.every((sample) => sample.value === 0)).toBe(true);

    const summary = await harness
      .as('circuit-panel-co')
      .summarize({ text: 'The harbour opens at dawn. Boats leave at noon.' });
    expect(summary.__typename).toBe('Summary');
    const after = (await harness.metrics()).find('ai_circuit_open');
    expect(after).toEqual(before);
  });
});
