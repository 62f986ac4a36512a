// Enforces @authenticated and @requiresScopes here, in the subgraph, rather than trusting a router to.
// Each guarded field's resolver is wrapped once at start-up; the rules are read from the schema itself.
import { defaultFieldResolver, isObjectType, Kind } from 'graphql';
import type { ConstDirectiveNode, GraphQLField, GraphQLSchema } from 'graphql';
import { forbiddenError, unauthenticatedError } from '../errors/graphql-errors';
import type { TenantContext } from '../auth/tenant-context';

export interface AccessRule {
  authenticated: boolean;
  /** Disjunction of conjunctions, as @requiresScopes defines it: any inner list fully held passes. */
  scopes: string[][] | null;
}

function ruleOf(directives: readonly ConstDirectiveNode[]): AccessRule | null {
  let authenticated = false;
  let scopes: string[][] | null = null;
  for (const directive of directives) {
    if (directive.name.value === 'authenticated') authenticated = true;
    if (directive.name.value === 'requiresScopes') {
      const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
      if (arg?.value.kind === Kind.LIST) {
        scopes = arg.value.values.map((inner) =>
          inner.kind === Kind.LIST
            ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []))
            : [],
        );
      }
    }
  }
  return authenticated || scopes ? { authenticated: authenticated || scopes !== null, scopes } : null;
}

export function holdsScopes(tenant: TenantContext, scopes: string[][]): boolean {
  return scopes.some((all) => all.every((scope) => tenant.scopes.has(scope)));
}

export function applyAccessRules(schema: GraphQLSchema): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRule = ruleOf(type.astNode?.directives ?? []);
    for (const field of Object.values(type.getFields()) as GraphQLField<
      unknown,
      { tenant: TenantContext | null }
    >[]) {
      const rule = ruleOf(field.astNode?.directives ?? []) ?? typeRule;
      if (!rule) continue;
      rules.set(`${type.name}.${field.name}`, rule);
      const coordinate = `${type.name}.${field.name}`;
      const guard = (ctx: { tenant: TenantContext | null }) => {
        if (!ctx.tenant) throw unauthenticatedError();
        if (rule.scopes && !holdsScopes(ctx.tenant, rule.scopes)) throw forbiddenError(coordinate);
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        guard(ctx);
        return resolve(source, args, ctx, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        field.subscribe = (source, args, ctx, info) => {
          guard(ctx);
          return subscribe(source, args, ctx, info);
        };
      }
    }
  }
  return rules;
}
