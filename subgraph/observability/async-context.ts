// The process's one AsyncLocalStorage: OpenTelemetry's context (the active span) and the request record
// (request-record.ts) both live in it, as values of one Context. Node 20 charges every AsyncLocalStorage in use
// on every promise the process makes (each copies its store onto the new promise), so a second one, ours beside
// the tracing SDK's, cost about as much again as the first: ~25 µs a request of 400 promises in a loop, and a
// tenth of a millisecond of CPU per cache hit in the server. Registered when this module loads, before the
// tracing SDK starts (start-tracing.ts hands it the same manager), and kept for the process's life.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

export const ASYNC_CONTEXT = new AsyncLocalStorageContextManager();

// False where this very manager (or a test's own) is registered already: that one then carries both.
context.setGlobalContextManager(ASYNC_CONTEXT);
