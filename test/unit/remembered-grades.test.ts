// The quality sampler's memory of grades: a subject graded before gets the same grade without grading again
// (the same frozen object back), and subjects that differ in any part (kind, reply, source, a passage) get
// their own grade.
import { grade } from '../../subgraph/observability/quality/grade';
import type { GradingSubject } from '../../subgraph/observability/quality/grade';
import { rememberedGrades } from '../../subgraph/observability/quality/remembered-grades';

const SOURCE = 'The Orion warranty covers parts and labour for two years from the date of purchase.';
const SUBJECTS: GradingSubject[] = [
  { kind: 'summary', reply: 'The warranty covers parts for two years.', source: SOURCE },
  { kind: 'summary', reply: 'The warranty covers parts for five years.', source: SOURCE },
  { kind: 'summary', reply: 'The warranty covers parts for two years.', source: `${SOURCE} Not in Paris.` },
  {
    kind: 'answer',
    reply: 'The warranty covers parts for two years [1].',
    passages: [{ index: 1, text: SOURCE }],
  },
  {
    kind: 'answer',
    reply: 'The warranty covers parts for two years [1].',
    passages: [{ index: 2, text: SOURCE }],
  },
  { kind: 'abstention' },
];

describe('rememberedGrades', () => {
  it('grades each subject as grade() does, and remembers it: the second time is the same object', () => {
    const gradeOf = rememberedGrades();
    const first = SUBJECTS.map((subject) => gradeOf(subject));
    SUBJECTS.forEach((subject, index) => {
      expect(first[index]).toEqual(grade(subject));
      // A copy of the subject, as the next sampled request would bring: remembered by content.
      expect(gradeOf(structuredClone(subject))).toBe(first[index]);
    });
    expect(Object.isFrozen(first[0])).toBe(true);
  });

  it('keeps a distinct grade for subjects that differ in one part', () => {
    const gradeOf = rememberedGrades();
    const grades = SUBJECTS.map((subject) => gradeOf(subject));
    expect(grades[0]?.grounding).toBe(1);
    expect(grades[1]?.grounding).toBe(0);
    expect(new Set(grades).size).toBe(SUBJECTS.length);
  });

  it('forgets the least recently used past its capacity, and grades it again', () => {
    const gradeOf = rememberedGrades(2);
    const [a, b, c] = SUBJECTS;
    if (!a || !b || !c) throw new Error('fixture');
    const first = gradeOf(a);
    gradeOf(b);
    gradeOf(c);
    const again = gradeOf(a);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
