// What @apollo/subgraph's `_entities` resolver assumes of a representation and does not check: an object whose
// `__typename` names one of this subgraph's entity types. Past it, a bad one throws a plain Error that fails
// the whole list, or resolves to a type `_Entity` cannot hold; here it is the caller's mistake, named.
import { isInterfaceType, isUnionType } from 'graphql';
import type { GraphQLNamedType, GraphQLSchema } from 'graphql';
import { InputError } from '../errors/input-error';

/** The entity types a representation may name: the `_Entity` union's members, and interfaces over them. */
export function entityTypeNames(schema: GraphQLSchema): ReadonlySet<string> {
  const union = schema.getType('_Entity');
  const members = isUnionType(union) ? union.getTypes() : [];
  const interfaces = Object.values(schema.getTypeMap()).filter(
    (type) => isInterfaceType(type) && schema.getPossibleTypes(type).some((t) => members.includes(t)),
  );
  return new Set([...members, ...interfaces].map((type: GraphQLNamedType) => type.name));
}

/** Throws an InputError, its field relative to the representation (`__typename`), unless it names an entity. */
export function checkRepresentation(representation: unknown, entityTypes: ReadonlySet<string>): void {
  const known = [...entityTypes].join(', ');
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
    throw new InputError(
      '',
      `must be an object with __typename (one of: ${known}) and the type's key fields`,
    );
  }
  const typename: unknown = (representation as Record<string, unknown>).__typename;
  if (typename === undefined) throw new InputError('__typename', `is required (one of: ${known})`);
  // The name is not echoed: it is the caller's to know, and could be any length.
  if (typeof typename !== 'string' || !entityTypes.has(typename)) {
    throw new InputError('__typename', `is not an entity type of this subgraph (one of: ${known})`);
  }
}
