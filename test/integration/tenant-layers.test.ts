// Tenant isolation has two layers, and each is proved here on its own, on both backends:
// - row level security, reached through the app's OWN tenant scope (inTenantScope, the function every store
//   query runs in): raw SQL with no tenant filter sees only the scoped tenant's rows;
// - the tenant filter in every store query's WHERE and JOIN, with row level security out of the way: the
//   store runs under an app role that BYPASSES RLS and still returns, changes and deletes only the tenant's
//   rows.
import { Client } from 'pg';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { inTenantScope } from '../../subgraph/retrieval/store/tenant-scope';
import { BACKENDS, chunksOf, openTestStore, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import type { TestStore } from '../support/stores';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

/** Rows per tenant in both tables, counted as the connecting owner (a superuser, past RLS). */
async function ownerCounts(
  handle: TestStore,
): Promise<Record<string, { documents: number; chunks: number }>> {
  const result = await handle.current.db.query<{ tenant_id: string; documents: number; chunks: number }>(
    `SELECT t.tenant_id,
            (SELECT count(*)::int FROM ${handle.schema}.documents d WHERE d.tenant_id = t.tenant_id) AS documents,
            (SELECT count(*)::int FROM ${handle.schema}.chunks c WHERE c.tenant_id = t.tenant_id) AS chunks
     FROM (SELECT DISTINCT tenant_id FROM ${handle.schema}.documents) t ORDER BY t.tenant_id`,
  );
  return Object.fromEntries(
    result.rows.map((row) => [row.tenant_id, { documents: row.documents, chunks: row.chunks }]),
  );
}

async function dropRole(role: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP OWNED BY ${role}`);
    await client.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await client.end();
  }
}

describe.each(BACKENDS)('tenant isolation layers on %s', (backend) => {
  describe("row level security through the app's own tenant scope", () => {
    let handle: TestStore;
    const countAs = (tenantId: string) =>
      inTenantScope(handle.current.db, handle.appRole, tenantId, async (tx) => {
        // No WHERE at all: only the policy can keep other tenants' rows out.
        const documents = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${handle.schema}.documents`,
        );
        const chunks = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${handle.schema}.chunks`,
        );
        return { documents: documents.rows[0]?.n, chunks: chunks.rows[0]?.n };
      });

    beforeAll(async () => {
      handle = await openTestStore(backend);
      const documents = handle.current.documents;
      await documents.putDocument(
        'scope-a',
        { id: 'a1', title: 'A1', body: 'a' },
        chunksOf('a one', 'a two'),
      );
      await documents.putDocument('scope-a', { id: 'a2', title: 'A2', body: 'a' }, chunksOf('a three'));
      await documents.putDocument(
        'scope-b',
        { id: 'b1', title: 'B1', body: 'b' },
        chunksOf('b one', 'b two'),
      );
    });

    afterAll(async () => {
      await handle?.dispose();
    });

    it("a count with no WHERE sees only the scoped tenant's rows", async () => {
      expect(await ownerCounts(handle)).toEqual({
        'scope-a': { documents: 2, chunks: 3 },
        'scope-b': { documents: 1, chunks: 2 },
      });
      expect(await countAs('scope-a')).toEqual({ documents: 2, chunks: 3 });
      expect(await countAs('scope-b')).toEqual({ documents: 1, chunks: 2 });
      expect(await countAs('scope-nobody')).toEqual({ documents: 0, chunks: 0 });
    });

    it('runs the work as the app role with the tenant set, not as the connecting owner', async () => {
      const seen = await inTenantScope(handle.current.db, handle.appRole, 'scope-a', async (tx) => {
        const result = await tx.query<{ who: string; tenant: string }>(
          "SELECT current_user AS who, current_setting('app.tenant_id', true) AS tenant",
        );
        return result.rows[0];
      });
      expect(seen).toEqual({ who: handle.appRole, tenant: 'scope-a' });
    });

    it("rejects a raw INSERT of another tenant's row made inside the scope", async () => {
      const planted = inTenantScope(handle.current.db, handle.appRole, 'scope-b', (tx) =>
        tx.query(
          `INSERT INTO ${handle.schema}.documents (tenant_id, id, title, body) VALUES ('scope-a', 'p', 'P', 'p')`,
        ),
      );
      await expect(planted).rejects.toThrow(/row-level security/);
      expect((await ownerCounts(handle))['scope-a']).toEqual({ documents: 2, chunks: 3 });
    });

    it('leaves neither the role nor the tenant on the connection after the transaction', async () => {
      await countAs('scope-a');
      const after = await handle.current.db.query<{ who: string; tenant: string | null }>(
        "SELECT current_user AS who, current_setting('app.tenant_id', true) AS tenant",
      );
      expect(after.rows[0]?.who).not.toBe(handle.appRole);
      expect([null, '']).toContain(after.rows[0]?.tenant);
    });
  });

  describe('the WHERE and JOIN tenant filters on their own, under an app role that bypasses RLS', () => {
    let handle: TestStore;
    const role = uniqueSchemaName('bypass');
    const documents = (): DocumentStore => handle.current.documents;
    // 'where-a' sorts first, so a join that lost its tenant meets the other tenant's document last.
    const ME = 'where-a';
    const OTHER = 'where-b';

    beforeAll(async () => {
      handle = await openTestStore(backend, { appRole: role });
      await handle.current.db.query(`ALTER ROLE ${role} BYPASSRLS`);
      for (const id of ['shared-1', 'shared-2', 'shared-3']) {
        await documents().putDocument(
          OTHER,
          { id, title: `Other ${id}`, body: 'other' },
          chunksOf(`zebra crossing survey of the other tenant, ${id}`, `zebra stripes census ${id}`),
        );
        await documents().putDocument(
          ME,
          { id, title: `Mine ${id}`, body: 'mine' },
          chunksOf(`zebra crossing lights of my own, ${id}`),
        );
      }
      await documents().putDocument(
        OTHER,
        { id: 'other-only', title: 'Other only', body: 'other' },
        chunksOf('zebra crossing at the harbour, other tenant only'),
      );
    });

    afterAll(async () => {
      await handle?.dispose();
      if (backend === 'postgres') await dropRole(role);
    });

    it('the role really bypasses row level security, so only the queries’ own filters remain', async () => {
      const roles = await handle.current.db.query<{ rolbypassrls: boolean }>(
        'SELECT rolbypassrls FROM pg_roles WHERE rolname = $1',
        [role],
      );
      expect(roles.rows).toEqual([{ rolbypassrls: true }]);
      const everything = await inTenantScope(handle.current.db, role, ME, (tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${handle.schema}.documents`),
      );
      expect(everything.rows[0]?.n).toBe(7);
    });

    it("searchLexical returns only the tenant's chunks, each titled by the tenant's own document", async () => {
      for (const query of ['zebra crossing', 'zebra crossing harbour survey census stripes']) {
        const hits = await documents().searchLexical(ME, query, 20);
        expect(hits.map((hit) => hit.chunkId).sort()).toEqual(['shared-1#0', 'shared-2#0', 'shared-3#0']);
        for (const hit of hits) {
          expect(hit.content).toContain('of my own');
          expect(hit.title).toBe(`Mine ${hit.documentId}`);
        }
      }
      // The same ids searched from the other side: a join on the id alone would title one side's chunks
      // with the other side's documents, whichever way the rows come out of the join.
      const theirs = await documents().searchLexical(OTHER, 'zebra crossing', 20);
      expect(theirs.map((hit) => hit.chunkId).sort()).toEqual([
        'other-only#0',
        'shared-1#0',
        'shared-1#1',
        'shared-2#0',
        'shared-2#1',
        'shared-3#0',
        'shared-3#1',
      ]);
      for (const hit of theirs) {
        expect(hit.title).toBe(hit.documentId === 'other-only' ? 'Other only' : `Other ${hit.documentId}`);
      }
    });

    it("getDocuments returns only the tenant's copy of a shared id", async () => {
      const found = await documents().getDocuments(ME, ['shared-1', 'other-only']);
      expect(found).toEqual([{ id: 'shared-1', title: 'Mine shared-1', body: 'mine', version: 1 }]);
    });

    it("replacing a shared id touches only the tenant's document and chunks", async () => {
      const stored = await documents().putDocument(
        ME,
        { id: 'shared-2', title: 'Mine shared-2', body: 'mine again' },
        chunksOf('zebra crossing lights of my own, shared-2, replaced'),
      );
      expect(stored).toEqual({ version: 2, chunks: 1 });
      const theirs = await documents().getDocuments(OTHER, ['shared-2']);
      expect(theirs).toEqual([{ id: 'shared-2', title: 'Other shared-2', body: 'other', version: 1 }]);
      expect((await ownerCounts(handle))[OTHER]).toEqual({ documents: 4, chunks: 7 });
    });

    it("deleting a shared id deletes only the tenant's document, and an id the tenant lacks deletes nothing", async () => {
      await expect(documents().deleteDocument(ME, 'shared-3')).resolves.toBe(true);
      await expect(documents().deleteDocument(ME, 'other-only')).resolves.toBe(false);
      expect(await ownerCounts(handle)).toEqual({
        [ME]: { documents: 2, chunks: 2 },
        [OTHER]: { documents: 4, chunks: 7 },
      });
      expect(await documents().getDocuments(OTHER, ['shared-3', 'other-only'])).toHaveLength(2);
    });
  });
});
