// A search as a quality sample: kept (where the tenant keeps content) with its query and hits, never graded:
// search has no model output to grade.
import type { SampledRequest } from '../../observability/quality/quality-sampler';
import type { FeatureCall } from '../feature-call';
import type { SearchOutcome } from '../feature-result';
import type { SearchInput } from '../inputs';
import { passageLines, sampleOf } from './sample-of';

export function searchSample(call: FeatureCall, input: SearchInput, result: SearchOutcome): SampledRequest {
  return sampleOf(call, 'search', result, {
    input: () => input.query,
    output: (served) => passageLines(served.value.hits),
    chunkIds: () => (result.kind === 'unavailable' ? [] : result.value.hits.map((hit) => hit.chunkId)),
    subject: null,
    labels: { model: 'none', promptVersion: 'none' },
  });
}
