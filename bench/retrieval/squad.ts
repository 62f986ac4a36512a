// The SQuAD v2 dev subset as a retrieval test collection: each paragraph is a document (titled with its
// article), each answerable question a query whose one relevant document is its paragraph.
import { z } from 'zod';
import { devDataFile, readDevData } from '../support/dev-data';

export const SQUAD_DEV_SUBSET = devDataFile('squad-v2-dev-subset', 'small.json');

/** The SQuAD v2 file's shape, as far as the benchmarks read it. */
const squadSchema = z.object({
  data: z.array(
    z.object({
      title: z.string(),
      paragraphs: z.array(
        z.object({
          context: z.string(),
          qas: z.array(
            z.object({
              id: z.string(),
              question: z.string(),
              is_impossible: z.boolean().optional(),
              answers: z.array(z.object({ text: z.string() })),
            }),
          ),
        }),
      ),
    }),
  ),
});

export interface CollectionDocument {
  id: string;
  title: string;
  body: string;
}

export interface CollectionQuery {
  id: string;
  text: string;
  relevantId: string;
}

export interface TestCollection {
  documents: CollectionDocument[];
  queries: CollectionQuery[];
}

export type SquadFile = z.infer<typeof squadSchema>;

export function readSquad(file = SQUAD_DEV_SUBSET): SquadFile {
  return squadSchema.parse(JSON.parse(readDevData(file)));
}

export function loadSquadCollection(file = SQUAD_DEV_SUBSET): TestCollection {
  const squad = readSquad(file);
  const documents: CollectionDocument[] = [];
  const queries: CollectionQuery[] = [];
  squad.data.forEach((article, a) =>
    article.paragraphs.forEach((paragraph, p) => {
      const id = `squad-${a}-${p}`;
      documents.push({ id, title: article.title.replaceAll('_', ' '), body: paragraph.context });
      for (const qa of paragraph.qas) {
        if (qa.is_impossible === true || qa.answers.length === 0) continue;
        queries.push({ id: qa.id, text: qa.question, relevantId: id });
      }
    }),
  );
  return { documents, queries };
}
