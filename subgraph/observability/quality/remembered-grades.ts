// The grade of a subject already graded, remembered: grade() is a pure function of the reply and what it is
// checked against, and a cached reply sampled again (the same summary of the same text, served from the
// completion cache) would otherwise be graded again from scratch, its source re-indexed each time: about
// 0.9 ms of CPU per graded summary of a 2,000-character text, 4 % of a cache hit's CPU at the default 5 %
// sampling. A subject never seen before costs one digest more than grading it did.
import { LRUCache } from 'lru-cache';
import { fingerprint } from '../../text/fingerprint';
import { grade } from './grade';
import type { GradingSubject } from './grade';
import type { QualityGrade } from './sample-store';

/** Grades kept: a digest key and three small fields each, a few dozen KB in all. */
export const REMEMBERED_GRADES = 500;

export function rememberedGrades(capacity = REMEMBERED_GRADES): (subject: GradingSubject) => QualityGrade {
  const grades = new LRUCache<string, Readonly<QualityGrade>>({ max: capacity });
  return (subject) => {
    const key = fingerprint(subject);
    const known = grades.get(key);
    if (known) return known;
    const graded = Object.freeze(grade(subject));
    grades.set(key, graded);
    return graded;
  };
}
