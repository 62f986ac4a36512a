// Random multi-tenant corpora for the tenant isolation properties, and the model that says who owns what.
// Tenants get random ids (some a case flip or an extension of another's, the ids a careless comparison mixes
// up), documents are built from a word pool under a few ids every tenant draws from, some are near-duplicates
// of another tenant's document with one word changed, and the probes ask with another tenant's text. Every
// title and body carries its tenant's marker word, so any text a response shows traces back to its tenant.
import fc from 'fast-check';
import type { DocumentInput } from './harness';

/** Words no stemmer folds into one another and no English stopword list holds. */
const WORDS = [
  'harbour',
  'ledger',
  'granite',
  'invoice',
  'refund',
  'glacier',
  'crate',
  'shipment',
  'orchard',
  'lantern',
  'copper',
  'meadow',
  'falcon',
  'quarry',
  'beacon',
  'canal',
  'saddle',
  'timber',
  'velvet',
  'walnut',
  'pepper',
  'marble',
  'cobalt',
  'summit',
  'ferry',
  'tunnel',
  'spruce',
  'barley',
  'violet',
  'anchor',
] as const;

/** Few, so that tenants often ingest documents under the same ids. */
const DOCUMENT_IDS = ['doc-a', 'doc-b', 'doc-c', 'doc-d'] as const;

/** The unknown id asked for beside the others: NOT_FOUND for everyone. */
export const UNKNOWN_DOCUMENT_ID = 'doc-nobody';

/**
 * Every marker has this shape (`qzm`, four letters, `x`), which no pool word has and no stemmer changes, so a
 * marker of any tenant, of this world or an earlier one, is found wherever it shows up.
 */
const MARKER = /\bqzm[a-z]{4}x\b/gi;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

function markerOf(serial: number): string {
  let letters = '';
  for (let rest = serial, i = 0; i < 4; i += 1, rest = Math.floor(rest / 26)) letters += ALPHABET[rest % 26];
  return `qzm${letters}x`;
}

export interface Tenant {
  id: string;
  marker: string;
  /** What the tenant ingested, by document id: the version it must get back. */
  documents: Map<string, DocumentInput>;
}

export interface Probe {
  caller: Tenant;
  /** Words of another tenant's document: its title and body, often with its marker. */
  query: string;
}

export interface World {
  tenants: Tenant[];
  /** Queries from another tenant's text. */
  probes: Probe[];
  /** A query from the caller's own document, which must find it (the properties are not vacuous). */
  ownProbe: Probe & { documentId: string };
  /** Every id a tenant may have drawn (each tenant holds some, lacks others), and one nobody ever uses. */
  documentIds: string[];
}

/** The markers in `text` that are not `tenant`'s: empty, or the text came from another tenant. */
export function foreignMarkers(text: string, tenant: Tenant): string[] {
  return [...text.matchAll(MARKER)].map((m) => m[0].toLowerCase()).filter((m) => m !== tenant.marker);
}

export function hasMarker(text: string, tenant: Tenant): boolean {
  return text.toLowerCase().match(MARKER)?.includes(tenant.marker) ?? false;
}

interface DocumentSpec {
  id: string;
  title: string[];
  sentences: string[][];
  /** Where in the body the marker goes. */
  markerAt: number;
}

export interface WorldSpec {
  tenantSuffixes: string[];
  documents: DocumentSpec[][];
  /** Tenant `to` also holds tenant `from`'s document, same id and text, with its own marker instead. */
  copies: { from: number; to: number; document: number }[];
  probes: {
    caller: number;
    source: number;
    document: number;
    start: number;
    length: number;
    marker: boolean;
  }[];
  own: { caller: number; document: number; start: number };
}

const tenantSuffix = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);

const flipCase = (text: string): string =>
  [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/** Two or three distinct suffixes, often one a case flip, an extension or a truncation of the first. */
const tenantSuffixes = tenantSuffix
  .chain((first) =>
    fc
      .array(
        fc.oneof(
          tenantSuffix,
          fc.constant(flipCase(first)),
          fc.constant(`${first}-`),
          fc.constant(first.slice(0, -1)),
        ),
        { minLength: 1, maxLength: 2 },
      )
      .map((others) => [...new Set([first, ...others.filter((other) => other !== '')])]),
  )
  .filter((suffixes) => suffixes.length >= 2);

const word = fc.constantFrom(...WORDS);

const documentSpec: fc.Arbitrary<DocumentSpec> = fc.record({
  id: fc.constantFrom(...DOCUMENT_IDS),
  title: fc.array(word, { minLength: 1, maxLength: 3 }),
  sentences: fc.array(fc.array(word, { minLength: 4, maxLength: 9 }), { minLength: 1, maxLength: 3 }),
  markerAt: fc.nat(),
});

/** Specs of worlds of two or three tenants, each with one to three documents. */
export const worldSpecs: fc.Arbitrary<WorldSpec> = fc.record({
  tenantSuffixes,
  documents: fc.array(fc.uniqueArray(documentSpec, { minLength: 1, maxLength: 3, selector: (d) => d.id }), {
    minLength: 3,
    maxLength: 3,
  }),
  copies: fc.array(fc.record({ from: fc.nat(), to: fc.nat(), document: fc.nat() }), { maxLength: 2 }),
  probes: fc.array(
    fc.record({
      caller: fc.nat(),
      source: fc.nat(),
      document: fc.nat(),
      start: fc.nat(),
      length: fc.integer({ min: 2, max: 8 }),
      marker: fc.boolean(),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  own: fc.record({ caller: fc.nat(), document: fc.nat(), start: fc.nat() }),
});

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function documentOf(spec: DocumentSpec, marker: string): DocumentInput {
  const sentences = spec.sentences.map((words) => [...words]);
  const target = sentences[spec.markerAt % sentences.length] ?? [];
  target.splice(spec.markerAt % (target.length + 1), 0, marker);
  return {
    id: spec.id,
    title: capitalized([marker, ...spec.title].join(' ')),
    body: sentences.map((words) => `${capitalized(words.join(' '))}.`).join(' '),
  };
}

/** The copy of `document` another tenant holds: its text with one word, the marker, changed. */
function nearDuplicate(document: DocumentInput, from: Tenant, to: Tenant): DocumentInput {
  const swap = (text: string) =>
    text.replace(new RegExp(from.marker, 'gi'), (found) =>
      found === from.marker ? to.marker : capitalized(to.marker),
    );
  return { id: document.id, title: swap(document.title), body: swap(document.body) };
}

const wordsOf = (document: DocumentInput): string[] =>
  `${document.title} ${document.body}`.toLowerCase().match(/[a-z]+/g) ?? [];

const pick = <T>(items: readonly T[], index: number): T => {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

/** Each serial is used once, so every world's tenants and markers are new to the store it is ingested into. */
let nextSerial = 0;

/**
 * The world a spec describes, with fresh tenant ids and markers each time: build it inside the property, so a
 * shrunk or replayed run never meets documents an earlier run ingested under the same tenants.
 */
export function buildWorld(spec: WorldSpec): World {
  const run = (nextSerial += 1).toString(36);
  const tenants: Tenant[] = spec.tenantSuffixes.map((suffix, index) => {
    const marker = markerOf((nextSerial += 1));
    const documents = new Map(
      pick(spec.documents, index)
        .map((document) => documentOf(document, marker))
        .map((document) => [document.id, document] as const),
    );
    return { id: `p${run}_${suffix}`, marker, documents };
  });
  const other = (caller: number, n: number) => (caller + 1 + (n % (tenants.length - 1))) % tenants.length;
  for (const copy of spec.copies) {
    const from = pick(tenants, copy.from);
    const to = tenants[other(tenants.indexOf(from), copy.to)] ?? from;
    const original = pick([...from.documents.values()], copy.document);
    to.documents.set(original.id, nearDuplicate(original, from, to));
  }
  const probes = spec.probes.map((probe) => {
    const callerIndex = probe.caller % tenants.length;
    const source = pick(tenants, other(callerIndex, probe.source));
    const words = wordsOf(pick([...source.documents.values()], probe.document));
    const start = probe.start % words.length;
    const window = words.slice(start, start + probe.length);
    if (probe.marker && !window.includes(source.marker)) window.push(source.marker);
    return { caller: pick(tenants, callerIndex), query: window.join(' ') };
  });
  const caller = pick(tenants, spec.own.caller);
  const own = pick([...caller.documents.values()], spec.own.document);
  const ownWords = wordsOf(own).filter((w) => w !== caller.marker);
  const start = spec.own.start % ownWords.length;
  return {
    tenants,
    probes,
    ownProbe: { caller, query: ownWords.slice(start, start + 4).join(' '), documentId: own.id },
    documentIds: [...DOCUMENT_IDS, UNKNOWN_DOCUMENT_ID],
  };
}
