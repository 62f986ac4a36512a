// ROLE_MARKER: text that forges the structure of a conversation (chat-template tokens, "system:" lines,
// "### Instruction") or hands the model a new identity ("you are now", "act as", "stell dir vor, du bist").
import { any, END, IMPERATIVE, rule, SENTENCE_START, START } from './rule';

const LINE_START = '(?<=^|\\n)\\s*';
// A markdown header's start, and the end of a header that holds only its name (the text is normalized: a run of
// spaces is one space, a run with a line break one newline).
const HEADER = `${LINE_START}#{2,} ?`;
const HEADER_END = ' ?:?(?=\\n|$)';
const SPEAKERS = any(
  'system',
  'assistant',
  'user',
  'human',
  'ai',
  'bot',
  'gpt',
  'chatgpt',
  'model',
  'developer',
  'admin',
);
// Machines a model is told to emulate: its answers become a program's output, whatever the "input" asks.
const MACHINES = any(
  'interpreter',
  'terminal',
  'console',
  'shell',
  'compiler',
  'emulator',
  'command line',
  'command prompt',
  'repl',
);
// "Can Jupyter act as a Python interpreter?" asks about a program; only an order to the model counts.
const NOT_A_THING_ASKED = `(?<!(?:can|could|does|do|will|would|should|may|might) (?:(?!you )[\\p{L}\\p{N}.+#-]+ ){1,4})`;
// "You are X Online, how are you?": an identity with only a greeting after it is small talk, not a persona
// the model is to answer as.
const NOT_SMALL_TALK = `(?![^.!?\\n]{0,60}[.!?,]\\s*(?:how are you(?: doing| today)?|how's it going|wie geht(?:'s| es)(?: dir| ihnen| euch)?(?: heute)?)\\s*[?!.]*\\s*$)`;
// "You are right", "you are eligible", "du bist herzlich eingeladen": states of the reader, not identities.
const NOT_A_STATE = `(?!(?:not|right|correct|wrong|welcome|able|unable|eligible|responsible|required|allowed|entitled|here|in|on|at|using|going|being|about|likely|unlikely|free|invited|encouraged|advised|expected|also|still|so|very|too|now|sure|aware|done|ready|looking|trying|asking|reading|logged|signed|subscribed|currently|already|only|just|probably|certainly|nicht|sicher|richtig|falsch|willkommen|berechtigt|verpflichtet|hier|herzlich|gerade|schon|auch|noch|jetzt|nun|dran|eingeladen|gefragt)${END})`;

export const ROLE_RULES = [
  rule(
    'chat-template-token',
    'ROLE_MARKER',
    `<\\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\\|>|\\[/?inst\\]|<</?sys>>|<(?:start|end)_of_turn>`,
    0.85,
    false,
  ),
  // A markdown header that forges a turn of a prompt: one addressed to the model ("## System prompt", "### New
  // instructions"), a chat template's turn header as templates write it, with a colon ("### Instruction:",
  // "### Human:"), or a request turn followed by a turn for the model's answer ("### Input" … "### Response").
  // A document's own section named "Instructions", "Input" or "Response" is a heading, not a turn; nor is one
  // whose name only starts with such a word ("## System requirements").
  rule(
    'instruction-header',
    'ROLE_MARKER',
    `${HEADER}(?:(?:system|system prompt|new instructions?)(?: ?:|${HEADER_END})|(?:instruction|assistant|human) ?:)|${HEADER}(?:instructions?|input|user|human|prompt)${HEADER_END}[\\s\\S]{1,1500}?\\n ?#{2,} ?(?:response|assistant)${HEADER_END}`,
    0.7,
    false,
  ),
  rule(
    'speaker-label',
    'ROLE_MARKER',
    `${LINE_START}${SPEAKERS}\\s*:`,
    { question: 0.55, document: 0.4 },
    false,
  ),
  rule(
    'system-notice',
    'ROLE_MARKER',
    `${START}(?:\\[(?:system|admin|sys|developer|instructions?)\\]|</?(?:system|instructions?|admin)>|(?:system|sys|admin|developer) (?:prompt|message|override|instruction|note|update|notice|command)s?\\s*:|(?:end|begin|start) of (?:the )?(?:system )?(?:prompt|instructions|context|document|user input)\\s*[-=:#*\\]>])`,
    0.7,
    false,
  ),
  // A question laid out as a prompt template ("Context: … Question: …"): the asker writes the model's input.
  rule(
    'template-fields',
    'ROLE_MARKER',
    `${START}(?:context|kontext|article|artikel|text|document)\\s*:[\\s\\S]{1,400}?${START}(?:question|frage|answer|antwort|task|aufgabe)\\s*:`,
    { question: 0.45, document: 0.1 },
    false,
  ),
  rule(
    'persona-now-en',
    'ROLE_MARKER',
    `${START}(?:(?:you are|you're|you will be|you'll be|you shall be) now|now,? you (?:are|will be|act|play)|from now on,? you|you are no longer|you will (?:now )?(?:act|play|roleplay|pretend|behave) (?:as|like)|you (?:have been|were) (?:reprogrammed|freed|unlocked|updated to))${END}`,
    { question: 0.65, document: 0.55 },
  ),
  rule(
    'persona-act-en',
    'ROLE_MARKER',
    `${START}(?:i (?:want|need|would like) you to (?:act|pretend|be|behave|play|roleplay|role-play|respond|imagine|become|take on)|pretend (?:to be|that you|you)|imagine (?:that )?you (?:are|were)|(?:play|take on|assume) the (?:role|part|persona|identity) of|role-?play(?:ing)? as|you (?:are|will be) playing the role)${END}`,
    { question: 0.6, document: 0.35 },
  ),
  rule(
    'persona-imperative-en',
    'ROLE_MARKER',
    `${IMPERATIVE}(?:act|behave|respond|answer|speak|talk|write|reply) (?:as|like) (?:a|an|the|if|though|my|you were|you are)${END}`,
    { question: 0.55, document: 0.2 },
  ),
  // "You are Volkswagen.", "You are three racoons": a sentence that begins by telling the model what it is.
  rule(
    'persona-you-are',
    'ROLE_MARKER',
    `${IMPERATIVE}${NOT_SMALL_TALK}(?:you are|you're)\\s+${NOT_A_STATE}(?:a |an |the |my )?\\p{L}`,
    { question: 0.5, document: 0.15 },
  ),
  rule(
    'persona-de',
    'ROLE_MARKER',
    `${START}(?:(?:du bist|sie sind|ihr seid) (?:jetzt|nun|ab (?:jetzt|sofort|heute))|(?:nun|jetzt|ab jetzt|ab sofort) (?:bist du|sind sie|seid ihr)|stell(?:e|en)? (?:dir|sie sich|euch) vor,? (?:du (?:bist|wärst|seist)|dass du|sie (?:sind|wären)|ihr seid)|tu(?:e)? so,? als (?:ob|wärst|seist|würdest)|(?:spiel|spiele|übernimm|übernehme|spielen sie|übernehmen sie) (?:die|eine) rolle|in (?:der|die) rolle (?:eines|einer|des|der|von)|(?:verhalte|benimm) dich (?:wie|als)|(?:agiere|fungiere|handle|agieren sie|fungieren sie|handeln sie) (?:als|wie)|ich möchte,? dass (?:du|sie) (?:als|dich|sich|so tun|die rolle)|du bist nicht mehr|du wirst (?:jetzt|nun) (?:zu|als))${END}`,
    { question: 0.6, document: 0.4 },
  ),
  rule(
    'persona-du-bist',
    'ROLE_MARKER',
    `${IMPERATIVE}${NOT_SMALL_TALK}(?:du bist|sie sind)\\s+${NOT_A_STATE}(?:ein |eine |der |die |das |mein |meine )?\\p{L}`,
    { question: 0.5, document: 0.1 },
  ),
  // "act as a Python interpreter", "act as a Linux terminal", anywhere in the text.
  rule(
    'persona-machine',
    'ROLE_MARKER',
    `${START}(?=act|behave|function|serve|pretend|respond|reply|work)${NOT_A_THING_ASKED}(?:act|behave|function|serve|pretend to be|respond|reply|work) (?:as|like) (?:a |an |the |my |your )?(?:[\\p{L}\\p{N}+#-]+ ){0,2}${MACHINES}${END}`,
    { question: 0.6, document: 0.3 },
  ),
  // "Be a DJ.", "Sei ein Pirat!": a persona ordered in a sentence of its own.
  rule(
    'persona-be',
    'ROLE_MARKER',
    `${SENTENCE_START}(?:be|become|sei|werde) (?:a|an|my|ein|eine|mein|meine) (?:\\p{L}+ ){0,2}?\\p{L}+(?=\\s*(?:[.!;]|$| and | und ))`,
    { question: 0.5, document: 0.15 },
  ),
  // A forged label for an order inside the text: "Instruction: …", "additional instruction -", "\\n\\nNew
  // instruction". Bare "instruction(s):" counts only where a line or sentence starts ("installation
  // instructions - the PDF" is not a label); with "new", "additional" and their kin it counts anywhere.
  rule(
    'forged-instruction-label',
    'ROLE_MARKER',
    `(?:(?<=(?:^|[\\n.!?]|\\\\n)\\s*)|${START}(?=(?:new|additional|further|extra|next|real|actual|hidden|secret|updated|important|neue|zusätzliche|weitere|wichtige) ))(?:(?:new|additional|further|extra|next|real|actual|hidden|secret|updated|important|neue|zusätzliche|weitere|wichtige)\\s+)?(?:instructions?|anweisung(?:en)?|instruktion(?:en)?)\\s*(?:[:\\-–—=>]|\\n|\\\\n|$)`,
    { question: 0.55, document: 0.15 },
    false,
  ),
  // A dialogue left open for the model to fill: the text ends with a speaker's name and a colon ("\\nJohn:").
  rule(
    'completion-bait',
    'ROLE_MARKER',
    `\\n\\s*\\p{L}[\\p{L} ]{0,20}\\s*:\\s*$`,
    { question: 0.35, document: 0.05 },
    false,
  ),
  // Few-shot pairs written into a question ("Input: One Output: One  Input: Foo Output: Foo …"): the asker
  // teaches the model a mapping to apply to the last input.
  rule(
    'few-shot-pairs',
    'ROLE_MARKER',
    `(?:${START}(?:input|eingabe|q|user)\\s*:[^\\n:]{1,80}?${START}(?:output|ausgabe|a|assistant)\\s*:[^\\n:]{1,80}?){2,}${START}(?:input|eingabe|q|user)\\s*:`,
    { question: 0.5, document: 0.15 },
    false,
  ),
];
