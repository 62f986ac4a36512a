// Headless Chromium for the browser suites: the machine's own Chromium (Debian's `chromium` package, which
// .ci/run installs when it is missing) driven by playwright-core, which downloads no browser of its own.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** CHROMIUM_PATH when set, else `chromium` on the PATH; a clear error naming the package when neither is. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'the browser suites need Chromium: `apt-get install -y chromium` (Debian), or CHROMIUM_PATH=<its path>',
    );
  }
}

export function launchChromium(): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium refuses to start with one; the only page it opens is ours.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, chromiumSandbox: false });
}
