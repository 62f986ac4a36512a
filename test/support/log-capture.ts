// The suite's log capture (issue 12: no log line of the whole suite may hold a token, a key or a redactable
// value). global-setup.ts names one file in TEST_LOG_CAPTURE; every subgraph a test starts logs into it at
// `info` or lower: in-process ones started without a logger of their own, the capturing loggers of logs.ts
// (besides their own lines), and the stdout of spawned ones. global-teardown.ts checks the file once every
// suite has run. Lines are appended synchronously (one write each, to a file, so a few microseconds): no
// line is lost when a suite ends, and jest's workers may share the file.
import { appendFileSync } from 'node:fs';
import pino from 'pino';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../subgraph/observability/logger';
import type { Logger } from '../../subgraph/observability/logger';

export const LOG_CAPTURE_VARIABLE = 'TEST_LOG_CAPTURE';

/** The least verbose level the capture records at: what the check promises for the whole suite. */
export const CAPTURE_LEVEL = 'info';

export function captureFile(): string | null {
  return process.env[LOG_CAPTURE_VARIABLE] || null;
}

// One destination per module registry (jest's is per test file): opened on first use.
let destination: DestinationStream | null | undefined;

function captureDestination(): DestinationStream | null {
  if (destination === undefined) {
    const file = captureFile();
    destination = file ? pino.destination({ dest: file, append: true, sync: true }) : null;
  }
  return destination;
}

const levelValue = (level: string): number =>
  level === 'silent' ? Number.POSITIVE_INFINITY : (pino.levels.values[level] ?? Number.POSITIVE_INFINITY);

/** The more verbose of `level` and the capture's level. */
export function withCaptureLevel(level: string): string {
  return levelValue(level) <= levelValue(CAPTURE_LEVEL) ? level : CAPTURE_LEVEL;
}

/** A subgraph's logger where the test gave none: into the capture (at info or lower) when there is one. */
export function suiteLogger(level: string): Logger {
  const capture = captureDestination();
  return capture ? createLogger(withCaptureLevel(level), capture) : createLogger(level);
}

/** A logger writing to `own` at `level` and, when there is a capture, to the capture at info or lower too. */
export function teeToCapture(level: string, own: DestinationStream): Logger {
  const capture = captureDestination();
  if (!capture) return createLogger(level, own);
  return createLogger(
    withCaptureLevel(level),
    pino.multistream([
      { level: level as pino.Level, stream: own },
      { level: withCaptureLevel(level) as pino.Level, stream: capture },
    ]),
  );
}

/** A spawned subgraph's stdout (its log, one JSON line each), appended whole once it has exited. */
export function appendToCapture(text: string): void {
  const file = captureFile();
  if (file && text.length > 0) appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
