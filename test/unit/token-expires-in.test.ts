// Finding: "`npm run token -- --expires-in 1h` prints jose's 'Invalid setExpirationTime input' without naming the
// flag, and `--expires-in 0` mints an already-expired token". The flag takes seconds or a count with a unit.
import { expiresInSeconds } from '../../scripts/expires-in';

it.each([
  ['3600', 3600],
  ['90s', 90],
  ['30m', 1800],
  ['1h', 3600],
  [' 7d ', 604_800],
])('--expires-in %j is %i seconds', (text, seconds) => {
  expect(expiresInSeconds(text)).toBe(seconds);
});

it.each(['0', '0h', '-5', '1.5h', '1w', 'soon', '', '1e3'])(
  '--expires-in %j is refused with an error naming the flag',
  (text) => {
    expect(() => expiresInSeconds(text)).toThrow(/^--expires-in: /);
  },
);
