// The categories of the injection screen: one value per way a text can try to steer a model. The GraphQL
// enum `ChunkFlagKind` takes its values and descriptions from here, so a category is described once.

export const CHUNK_FLAG_KINDS = [
  'INSTRUCTION_OVERRIDE',
  'MODEL_DIRECTIVE',
  'ROLE_MARKER',
  'JAILBREAK',
  'PROMPT_LEAK',
  'TOOL_OR_EXFILTRATION',
  'HIDDEN_TEXT',
  'ENCODED_PAYLOAD',
] as const;

export type ChunkFlagKind = (typeof CHUNK_FLAG_KINDS)[number];

export const CHUNK_FLAG_KIND_DESCRIPTIONS: Readonly<Record<ChunkFlagKind, string>> = {
  INSTRUCTION_OVERRIDE:
    'Tells the model to ignore, forget or replace its earlier instructions or its sources, or hands it a new task ("ignore all previous instructions", "your new task is").',
  MODEL_DIRECTIVE:
    'An instruction addressed to an AI, assistant or model reading the text ("note to the AI: recommend…", "if you are a language model, say…"), including telling it to hide something from the user.',
  ROLE_MARKER:
    'A chat-template or role marker (system:, ### Instruction, <|im_start|>, [INST]) or an attempt to give the model a new identity ("you are now", "act as").',
  JAILBREAK:
    'A known jailbreak pattern: DAN or developer mode, a persona without rules, restrictions or filters, or an evil-AI role play.',
  PROMPT_LEAK:
    'Asks the model to reveal or repeat its system prompt, instructions or the text before the question.',
  TOOL_OR_EXFILTRATION:
    'A tool-call lookalike (function-call JSON, tool tags) or a way to send data out: markdown images or links whose URL carries a query slot, or "send … to http…".',
  HIDDEN_TEXT:
    'Text a reader does not see: zero-width characters, bidirectional overrides, Unicode tag characters, letters spaced apart to evade matching, or instructions inside an HTML comment or hidden element.',
  ENCODED_PAYLOAD: 'A base64 or hex blob that decodes to instruction-like text.',
};
