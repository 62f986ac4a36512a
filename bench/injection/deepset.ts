// The deepset prompt-injection set: one `{"text", "label"}` object per line, label 1 for an injection.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Labelled } from './metrics';

export const DEEPSET_FILE = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'dev',
  'prompt-injection',
  'deepset',
  'train.jsonl',
);

const row = z.object({ text: z.string(), label: z.union([z.literal(0), z.literal(1)]) });

export function loadDeepset(file = DEEPSET_FILE): Labelled[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { text, label } = row.parse(JSON.parse(line));
      return { text, injection: label === 1 };
    });
}
