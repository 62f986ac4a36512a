// What the screen reports: a category, how strongly the text shows it (0–1), and where, in the caller's text.
import type { ChunkFlagKind } from './chunk-flag-kind';
import type { ScreenContext } from './rule';

export interface InjectionFinding {
  kind: ChunkFlagKind;
  score: number;
  /** The rule that matched; the overall score counts each rule once, however often it matches. */
  rule: string;
  start?: number;
  end?: number;
}

/** Screens a text found inside the text (decoded base64, hidden tag characters) the same way. */
export type InnerScreen = (text: string, context: ScreenContext) => InjectionFinding[];
