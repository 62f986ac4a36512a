// What the status page shows, computed from the recorder's snapshots: plain data the renderer only formats.
// Window figures are increases over the kept snapshots; "lifetime" figures are the counters' current values.

export interface TimePoint {
  /** The end of the interval, milliseconds since the epoch. */
  at: number;
  value: number;
}

export interface TimeSeries {
  name: string;
  points: TimePoint[];
}

export interface RequestsView {
  /** Requests in the window, and those that ended other than full (degraded or unavailable). */
  total: number;
  fallbacks: number;
  /** fallbacks / total; null without requests. */
  fallbackRate: number | null;
  /** The fallback rate of each interval that had requests. */
  rateSeries: TimeSeries;
  /** Requests of each interval by outcome (full, degraded, unavailable, abandoned). */
  outcomeSeries: TimeSeries[];
  byFeature: { feature: string; total: number; fallbacks: number; fallbackRate: number | null }[];
  /** Why requests were not full, most frequent first. */
  reasons: { reason: string; count: number }[];
  /** Moves down a task's route chain (ai_fallbacks_total), most frequent first. */
  ladder: { task: string; reason: string; count: number }[];
  lifetime: { total: number; fallbacks: number };
}

export interface StageRow {
  stage: string;
  count: number;
  /** Seconds; null when the stage ran no time in the window. */
  p50: number | null;
  p95: number | null;
}

export interface StagesView {
  rows: StageRow[];
  /** p95 of each stage per interval, in seconds. */
  p95Series: TimeSeries[];
}

export interface CostView {
  /** US dollars in the window, and since the process started. */
  total: number;
  lifetime: number;
  byFeature: { feature: string; usd: number; lifetimeUsd: number }[];
  /** Dollars of each interval, by feature. */
  series: TimeSeries[];
}

export interface YesNo {
  yes: number;
  no: number;
}

export interface QualityRow {
  feature: string;
  promptVersion: string;
  model: string;
  /** Grounding scores recorded in the window, and their mean (null without any). */
  graded: number;
  meanGrounding: number | null;
  /** Scores per bucket (not cumulative): `counts[i]` lies at or below `bounds[i]` and above the bound before. */
  distribution: { bounds: readonly number[]; counts: number[] };
  citationsValid: YesNo;
  abstained: YesNo;
}

export interface QualityView {
  rows: QualityRow[];
  /** Mean grounding of each interval, by prompt version. */
  meanSeries: TimeSeries[];
}

export interface CircuitRow {
  /** `provider:model`. */
  target: string;
  open: boolean;
  /** Open or not at each kept snapshot and now, oldest first. */
  history: boolean[];
}

export interface StatusView {
  now: number;
  /** The oldest snapshot's time: where the window starts. */
  from: number;
  intervalMs: number;
  /** Snapshots the recorder keeps, and holds now. */
  capacity: number;
  kept: number;
  requests: RequestsView;
  stages: StagesView;
  cost: CostView;
  quality: QualityView;
  circuits: CircuitRow[];
  openStreams: { field: string; count: number }[];
}
