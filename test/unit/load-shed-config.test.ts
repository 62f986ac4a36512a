// LOAD_SHED_EVENT_LOOP_LAG_MS: the event loop lag past which new AI work is shed, with its documented default;
// 0 turns shedding off; anything else is refused at start with a message naming the variable.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

describe('load shedding configuration', () => {
  it('sheds past 500 ms of event loop lag by default', () => {
    expect(loadConfig({}).features.loadShedEventLoopLagMs).toBe(500);
  });

  it('reads LOAD_SHED_EVENT_LOOP_LAG_MS, 0 (never shed) included', () => {
    expect(loadConfig({ LOAD_SHED_EVENT_LOOP_LAG_MS: '80' }).features.loadShedEventLoopLagMs).toBe(80);
    expect(loadConfig({ LOAD_SHED_EVENT_LOOP_LAG_MS: '0' }).features.loadShedEventLoopLagMs).toBe(0);
  });

  it.each(['-1', 'fast', '1.5', '60001'])('refuses LOAD_SHED_EVENT_LOOP_LAG_MS=%s, naming it', (value) => {
    const load = () => loadConfig({ LOAD_SHED_EVENT_LOOP_LAG_MS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^LOAD_SHED_EVENT_LOOP_LAG_MS /);
  });
});
