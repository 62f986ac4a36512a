// The root fields an operation selects, through fragments too, so a gate cannot be bypassed by a spread.
import { Kind } from 'graphql';
import type { FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { unreachable } from '../errors/unreachable';

export function rootFieldNames(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode | undefined>,
): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          names.add(selection.name.value);
          break;
        case Kind.INLINE_FRAGMENT:
          walk(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments[name];
          if (fragment && !seen.has(name)) {
            seen.add(name);
            walk(fragment.selectionSet);
          }
          break;
        }
        default:
          return unreachable(selection);
      }
    }
  };
  walk(operation.selectionSet);
  return names;
}

// What an anonymous caller may ask: the supergraph composes this subgraph from `_service { sdl }`. Not
// introspection (`__schema`, `__type`), even where it is open: nothing anonymous needs it (composition reads
// the SDL, the development page sends its token), and the README promises only `_service { sdl }`.
const PUBLIC_ROOT_FIELDS = new Set(['_service', '__typename']);

export function onlyPublicFields(names: Set<string>): boolean {
  return [...names].every((name) => PUBLIC_ROOT_FIELDS.has(name));
}
