// Why a request left the full path: the values of the contract's DegradationReason, owned by the lowest
// layer that produces them so that no layer imports upward.
export type DegradationReason =
  | 'PROVIDER_ERROR'
  | 'PROVIDER_TIMEOUT'
  | 'CIRCUIT_OPEN'
  | 'RATE_LIMITED'
  | 'BUDGET_EXCEEDED'
  | 'LIMITS_UNAVAILABLE'
  | 'GUARDRAIL_REJECTED'
  | 'NO_PROVIDER_CONFIGURED'
  | 'PROVIDER_NOT_ALLOWED'
  | 'SEMANTIC_UNAVAILABLE'
  | 'INSUFFICIENT_CONTEXT'
  | 'NOT_FOUND';
