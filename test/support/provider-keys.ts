// The API keys the harness configures for its fake providers, shaped like real ones (the fakes accept any),
// so that the suite's log check (log-leaks.ts) finds one that reached a log line by its value and its shape.
export const HARNESS_API_KEYS = {
  openai: 'sk-test-harness-openai-4c1f9e27b8d3a065',
  anthropic: 'sk-ant-test-harness-7d2e5b90c4f1a836',
} as const;
