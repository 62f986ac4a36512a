// Short documents several suites ingest and ask about, so each is written once and reads the same everywhere.
import type { DocumentInput } from './harness';

/** Who collects the mooring fee, and where boats moor: the question most retrieval suites ask. */
export const HARBOUR_RULES: DocumentInput = {
  id: 'harbour',
  title: 'Harbour rules',
  body: 'Boats moor at the east pier. The harbour master collects the mooring fee every morning.',
};
