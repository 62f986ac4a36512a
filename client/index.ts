// The client kit for frontend teams: what an Apollo Client (3.x or 4.x) InMemoryCache needs to read this
// subgraph's unions and keep its results. `new InMemoryCache({ possibleTypes, typePolicies })`, or add both to
// an existing cache (see "For frontend teams" in the README).
import generated from './possible-types';

/** Every union's members (generated from schema/ by `npm run codegen`): named fragments on a union match. */
export const possibleTypes = generated.possibleTypes;

export { typePolicies } from './type-policies';
