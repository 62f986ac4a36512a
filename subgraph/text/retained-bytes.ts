// Estimates of the heap a cached value retains, for caches bounded by bytes rather than entries: a count bound
// lets a few large values (long passages, long answers) hold far more memory than its number suggests.
// V8 keeps a string of Latin-1 characters at one byte per character and any other at two, plus a header.

const STRING_HEADER_BYTES = 16;
const TWO_BYTE = /[\u0100-\uffff]/;

export function stringBytes(value: string): number {
  return STRING_HEADER_BYTES + value.length * (TWO_BYTE.test(value) ? 2 : 1);
}

/** The strings' bytes plus a fixed cost per object (its header, fields and numbers). */
export function stringsBytes(values: readonly string[], objectBytes: number): number {
  let total = objectBytes;
  for (const value of values) total += stringBytes(value);
  return total;
}
