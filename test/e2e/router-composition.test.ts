// The supergraph Apollo Router runs: this subgraph's `_service { sdl }` composed with a documents subgraph by
// @apollo/composition (what `rover supergraph compose` runs), as the README's "Behind Apollo Router" section
// configures it. The router needs the subscription fields joined to this subgraph and the security directives
// in the supergraph; @apollo/gateway cannot load that same supergraph, which is what the opt-in is for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { parse } from 'graphql';
import { startDocumentsSubgraph } from '../support/documents-subgraph';
import type { DocumentsSubgraph } from '../support/documents-subgraph';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { gql } from '../support/subgraph';

const README = join(__dirname, '..', '..', 'README.md');

async function servedSdl(url: string): Promise<string> {
  const response = await gql<{ _service: { sdl: string } }>(url, '{ _service { sdl } }');
  expect(response.body.errors).toBeUndefined();
  return response.body.data?._service.sdl ?? '';
}

/** The first ```yaml block of the README section titled `heading`. */
function readmeYaml(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith(heading)) ?? '';
  return /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

describe('Apollo Router: the supergraph composed with @apollo/composition from the served SDL', () => {
  let ai: Harness;
  let documents: DocumentsSubgraph;
  let supergraphSdl: string;

  beforeAll(async () => {
    [ai, documents] = await Promise.all([startHarness(), startDocumentsSubgraph({})]);
    const composed = composeServices([
      { name: 'ai', url: ai.url, typeDefs: parse(await servedSdl(ai.url)) },
      { name: 'documents', url: documents.url, typeDefs: parse(await servedSdl(documents.url)) },
    ]);
    expect(composed.errors).toBeUndefined();
    supergraphSdl = composed.supergraphSdl ?? '';
  });

  afterAll(async () => {
    await Promise.allSettled([documents?.stop(), ai?.stop()]);
  });

  it('has the subscription fields askStream and summarizeStream, owned by this subgraph and @authenticated', () => {
    expect(supergraphSdl).toMatch(/type Subscription\s+@join__type\(graph: AI\)/);
    expect(supergraphSdl).toMatch(/askStream\(input: AskInput!\): AskStreamEvent! @authenticated/);
    expect(supergraphSdl).toMatch(
      /summarizeStream\(input: SummarizeInput!\): SummarizeStreamEvent! @authenticated/,
    );
  });

  it('keeps the security directives, linked for SECURITY, so the router can enforce them too', () => {
    expect(supergraphSdl).toMatch(
      /@link\(url: "https:\/\/specs\.apollo\.dev\/authenticated\/v[\d.]+", for: SECURITY\)/,
    );
    expect(supergraphSdl).toMatch(
      /@link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v[\d.]+", for: SECURITY\)/,
    );
    expect(supergraphSdl).toMatch(/usage: TenantUsage! .*@requiresScopes\(scopes: \[\["ai:admin"\]\]\)/);
    expect(supergraphSdl).toMatch(
      /ingestDocument\(input: IngestDocumentInput!\): IngestResult! .*@requiresScopes\(scopes: \[\["ai:ingest"\]\]\)/,
    );
  });

  it("matches the README's router.yaml: subgraph `ai` at this path over graphql_ws, Authorization propagated, no deduplication", () => {
    const routerYaml = readmeYaml('Behind Apollo Router');
    expect(supergraphSdl).toMatch(/AI @join__graph\(name: "ai", url: "[^"]+"\)/);
    expect(routerYaml).toMatch(
      /passthrough:\n\s+subgraphs:\n\s+ai:\n\s+path: \/graphql\n\s+protocol: graphql_ws/,
    );
    expect(new URL(ai.url).pathname).toBe('/graphql');
    expect(routerYaml).toMatch(/deduplication:\n\s+enabled: false/);
    expect(routerYaml).toMatch(/propagate:\n\s+named: authorization/);
  });

  it('is refused by @apollo/gateway (`for: SECURITY` is unsupported): without the opt-in a gateway cannot load it', async () => {
    const gateway = new ApolloGateway({ supergraphSdl });
    await expect(gateway.load()).rejects.toThrow(/for: SECURITY.*unsupported|unsupported.*SECURITY/s);
  });
});
