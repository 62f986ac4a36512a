// The presidio-research synthetic PII set as labelled sentences: each sentence with its spans, the spans'
// entity types mapped to the redactor's kinds where one matches (the NER-style types, names, addresses,
// dates, stay unmapped: a detection on one of them counts against precision).
import { z } from 'zod';
import { devDataFile, readDevData } from '../support/dev-data';
import type { PiiKind } from '../../subgraph/guardrails/pii';
import type { LabelledSentence } from './score';

export const PRESIDIO_DEV_SET = devDataFile('pii-presidio-research', 'synth_dataset_v2.dev.json');

const datasetSchema = z.array(
  z.object({
    full_text: z.string(),
    spans: z.array(
      z.object({ entity_type: z.string(), start_position: z.number().int(), end_position: z.number().int() }),
    ),
  }),
);

const KIND_OF_ENTITY: Readonly<Record<string, PiiKind>> = {
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CARD',
  IBAN_CODE: 'IBAN',
  IP_ADDRESS: 'IP',
  US_SSN: 'NATIONAL_ID',
};

/** The set's offsets count code points (Python); JavaScript strings index UTF-16 units. */
function utf16Offsets(text: string): number[] {
  const offsets: number[] = [];
  let unit = 0;
  for (const char of text) {
    offsets.push(unit);
    unit += char.length;
  }
  offsets.push(unit);
  return offsets;
}

export function loadPresidioDevSet(file = PRESIDIO_DEV_SET): LabelledSentence[] {
  return datasetSchema.parse(JSON.parse(readDevData(file))).map((record) => {
    const offsets = utf16Offsets(record.full_text);
    return {
      text: record.full_text,
      spans: record.spans.map((span) => ({
        kind: KIND_OF_ENTITY[span.entity_type],
        label: span.entity_type,
        start: offsets[span.start_position] ?? span.start_position,
        end: offsets[span.end_position] ?? span.end_position,
      })),
    };
  });
}
