// PROMPT_LEAK: asks the model for what it was told before the question: its system prompt, instructions,
// or "the text above". Only "your"/"system"/"initial"… make it the model's prompt; "show the instructions"
// alone is a manual's own sentence.
import { any, END, rule, START } from './rule';

const SHOW_EN = any(
  'show',
  'print',
  'reveal',
  'display',
  'output',
  'repeat',
  'tell',
  'give',
  'list',
  'write (?:out|down)?',
  'spell out',
  'share',
  'leak',
  'disclose',
  'dump',
  'paste',
  'recite',
  'copy',
  'return',
  'reproduce',
  'translate',
  'summari[sz]e',
  'what (?:is|was|are|were)',
  "what's",
);
const PROMPT_EN = any(
  'prompts?',
  'prompt text',
  'instructions',
  'system message',
  'rules',
  'guidelines',
  'directives',
  'configuration',
  'context window',
  'pre-?prompt',
  'initiali[sz]ation',
);
const SHOW_DE = any(
  'zeig(?:e|en sie)?',
  'gib(?: mir)?',
  'geben sie',
  'nenne',
  'wiederhole',
  'verrate',
  'drucke',
  'schreib(?:e)?',
  'liste',
  'kopiere',
  'was (?:ist|sind|war|waren)',
);

export const LEAK_RULES = [
  rule(
    'show-your-prompt-en',
    'PROMPT_LEAK',
    `${START}${SHOW_EN} (?:me |us )?(?:all |the |of |exactly |verbatim )*(?:(?:your|the system|your system|the initial|your initial|the original|your original|the hidden|your hidden|the secret|your secret|the internal|your internal|the full|your full|the entire|your entire|the complete|your complete|the exact|your exact)(?: (?:system|initial|original|hidden|secret|internal|full|entire|complete|exact))*) ${PROMPT_EN}${END}`,
    { question: 0.7, document: 0.6 },
  ),
  rule(
    'text-above-en',
    'PROMPT_LEAK',
    `${START}(?:${SHOW_EN}) (?:me |us )?(?:all |exactly |verbatim )*(?:everything|the (?:text|words|sentences?|content|lines|messages?|paragraphs?|instructions)) (?:above|before (?:this|that|the question|my question)|preceding this|prior to this|so far|you were given|you (?:have )?received)${END}|${START}(?:at the (?:beginning|start|top) of|before) (?:this|the|your) (?:prompt|conversation|chat|instructions|system message|context)${END}|${START}(?:what (?:is|was|has been)|what's) (?:written|said|stated) (?:above|before|earlier|previously)${END}|${START}(?:information|text|content|words) (?:in|of) (?:the|your|this) (?:prompt|system prompt)${END}|${START}(?:sentences?|lines?|words|paragraphs?) (?:before|above|preceding) (?:the (?:text|question|prompt)|this (?:text|question|prompt)|my (?:text|question))${END}`,
    { question: 0.6, document: 0.45 },
  ),
  rule(
    'show-your-prompt-de',
    'PROMPT_LEAK',
    `${START}${SHOW_DE} (?:mir |uns )?(?:bitte )?(?:(?:deinen|deine|ihren|ihre) (?:gesamten?|ganzen?|kompletten?|vollständigen?|ursprünglichen?|geheimen?|internen?)?\\s?(?:prompts?|prompt-text|prompttext|systemprompt|system-prompt|anweisungen|instruktionen|vorgaben|regeln|systemnachricht)|(?:den|die|das) (?:gesamten?|ganzen?|kompletten?|vollständigen?|ursprünglichen?|geheimen?|internen?)?\\s?(?:prompts?|prompt-text|prompttext|systemprompt|system-prompt|systemnachricht))${END}`,
    { question: 0.7, document: 0.6 },
  ),
  rule(
    'text-above-de',
    'PROMPT_LEAK',
    `${START}(?:was (?:steht|stand|wurde) (?:geschrieben )?(?:am anfang|oben|zu beginn|davor|vor (?:diesem|dieser|der))|(?:zeige|wiederhole|gib) (?:mir )?(?:alles|den text|die texte|die sätze) (?:oben|davor|vor dieser))${END}`,
    { question: 0.55, document: 0.4 },
  ),
];
