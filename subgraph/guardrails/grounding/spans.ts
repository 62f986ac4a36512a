// Character spans already claimed by one fact, so an amount's digits are not read again as a bare number and
// a date's month is not read again as a name.

export interface Span {
  start: number;
  end: number;
}

export class TakenSpans {
  private readonly spans: Span[] = [];

  overlaps(start: number, end: number): boolean {
    return this.spans.some((span) => start < span.end && span.start < end);
  }

  take(start: number, end: number): void {
    this.spans.push({ start, end });
  }
}
