// The deepset prompt-injection set: one `{"text", "label"}` object per line, label 1 for an injection.
import { z } from 'zod';
import { devDataFile, readDevData } from '../support/dev-data';
import type { Labelled } from './metrics';

export const DEEPSET_FILE = devDataFile('prompt-injection', 'deepset', 'train.jsonl');

const row = z.object({ text: z.string(), label: z.union([z.literal(0), z.literal(1)]) });

export function loadDeepset(file = DEEPSET_FILE): Labelled[] {
  return readDevData(file)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { text, label } = row.parse(JSON.parse(line));
      return { text, injection: label === 1 };
    });
}
