// jest's global teardown: once every suite has run, the suite's log capture (log-capture.ts) is checked for
// tokens, keys and redactable values (log-leaks.ts). A leak fails the run naming the offending lines, and the
// file stays for a look; a clean capture is removed, as is the run's PGlite template (pglite-template.ts).
import { rmSync } from 'node:fs';
import { LOG_CAPTURE_VARIABLE } from './log-capture';
import { PGLITE_TEMPLATE_VARIABLE } from './pglite-template';
import { checkCapturedLogs } from './log-leaks';

export default function globalTeardown(): void {
  const template = process.env[PGLITE_TEMPLATE_VARIABLE];
  if (template) rmSync(template, { force: true });
  const file = process.env[LOG_CAPTURE_VARIABLE];
  if (!file) return;
  checkCapturedLogs(file);
  rmSync(file, { force: true });
}
