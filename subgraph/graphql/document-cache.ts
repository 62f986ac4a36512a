// Apollo's store of parsed and validated documents, bounded by the heap they hold. Apollo's default counts a
// document by its JSON length, but a parsed document also keeps its source and a linked list of every token
// (for error locations): about 4x its JSON length, 60x its source. Any client sending distinct query strings
// then grew the heap far past the nominal 30 MiB.
import type { DocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

// Measured (--expose-gc, 2,000 documents each, parsed and validated against this schema): retained heap of
// 2.2 KB ({a:__typename}) to 52 KB (60 aliased fields) per document, 0.77x to 0.98x this estimate: the source
// length plus 360 bytes per token (the token, its AST nodes), plus the hashed key and lru-cache's bookkeeping.
const BYTES_PER_TOKEN = 360;
const ENTRY_OVERHEAD_BYTES = 600;

export function documentBytes(document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens += 1;
  const source = document.loc?.source.body.length ?? 0;
  return ENTRY_OVERHEAD_BYTES + source + tokens * BYTES_PER_TOKEN;
}

/** An LRU of documents up to `maxBytes` of estimated heap; null (no store: parse every time) when 0. */
export function createDocumentCache(maxBytes: number): DocumentStore | null {
  if (maxBytes <= 0) return null;
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) => documentBytes(document),
  });
  return {
    async get(key) {
      return documents.get(key);
    },
    async set(key, value) {
      documents.set(key, value);
    },
    async delete(key) {
      return documents.delete(key);
    },
  };
}

/**
 * The graphql-ws side's store of documents that parsed and passed validation, keyed by their source text, in
 * the same bound: an open subscription keeps its document (its AST and every token) for as long as it runs,
 * so a thousand streams of one operation would otherwise hold a thousand copies. Null when 0.
 */
export function createValidatedDocuments(maxBytes: number): LRUCache<string, DocumentNode> | null {
  if (maxBytes <= 0) return null;
  return new LRUCache<string, DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) => documentBytes(document),
  });
}
