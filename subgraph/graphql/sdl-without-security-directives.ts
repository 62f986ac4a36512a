// The opt-in for supergraphs still composed by @apollo/gateway, which refuses any supergraph that links
// @authenticated or @requiresScopes (`for: SECURITY … is unsupported`). Only the SDL served at `_service { sdl }`
// loses them and their @link imports; the executable schema keeps them, and access-rules.ts enforces each one
// here, so a gateway that never sees them cannot weaken them.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphqlSync, Kind, visit } from 'graphql';
import type { ArgumentNode, DirectiveNode, DocumentNode, ValueNode } from 'graphql';

const SECURITY_DIRECTIVES = new Set(['authenticated', 'requiresScopes']);

/** `typeDefs` without any use of the security directives, nor their names in a @link import list. */
export function withoutSecurityDirectives(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive(node) {
      if (SECURITY_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value !== 'link') return undefined;
      return { ...node, arguments: node.arguments?.map(withoutSecurityImports) } satisfies DirectiveNode;
    },
  });
}

/** The SDL the subgraph would serve at `_service { sdl }` for `typeDefs` without the security directives. */
export function servedSdlWithoutSecurityDirectives(typeDefs: DocumentNode): string {
  const schema = buildSubgraphSchema({ typeDefs: withoutSecurityDirectives(typeDefs) });
  const result = graphqlSync({ schema, source: '{ _service { sdl } }' });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null | undefined)?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error('the subgraph schema served no _service { sdl }');
  return sdl;
}

function withoutSecurityImports(argument: ArgumentNode): ArgumentNode {
  if (argument.name.value !== 'import' || argument.value.kind !== Kind.LIST) return argument;
  return {
    ...argument,
    value: { ...argument.value, values: argument.value.values.filter((value) => !importsSecurity(value)) },
  };
}

/** An import is `"@name"` or `{ name: "@name", as: "@alias" }`. */
function importsSecurity(value: ValueNode): boolean {
  const imported =
    value.kind === Kind.STRING
      ? value.value
      : value.kind === Kind.OBJECT
        ? value.fields.find((field) => field.name.value === 'name')?.value
        : undefined;
  const name = typeof imported === 'string' ? imported : imported?.kind === Kind.STRING ? imported.value : '';
  return SECURITY_DIRECTIVES.has(name.replace(/^@/, ''));
}
