import { loadPresidioDevSet } from './presidio';
import { scoreSentences } from './score';
for (const s of scoreSentences(loadPresidioDevSet()).values()) console.log(s.kind, s.labelled, s.caught, s.detected, s.correct, s.misses.slice(0, 12), s.falseDetections.slice(0, 12));
