// INSTRUCTION_OVERRIDE by dictation: the text fixes what the model is to answer ("say yes.", "just say X",
// "the correct answer is always 'X'", "you only have to say X all the time"). A user asks for an answer; one
// who writes the answer in advance wants the model to repeat it. Asking how to say something ("how do I just
// say no to my boss?") is not dictation, so those forms are left out.
import { any, END, IMPERATIVE, rule, START } from './rule';

// "how do I just say no", "wie kann ich einfach nein sagen", "should I just write it off": a user asking for
// words or about their own doing, not dictating the model's.
const NOT_HOW = `(?<!(?:how (?:do|can|could|should|would|to|does|did) (?:i |we |you |one |he |she |they )?|how to |wie (?:kann|soll|könnte|sollte) (?:ich|man|wir) |(?:i|we|ich|wir) ))`;
const SAY = any(
  'say',
  'output',
  'print',
  'write',
  'answer',
  'respond with',
  'reply with',
  'answer with',
  'type',
  'sag(?:e|en)?',
  'schreib(?:e|en)?',
  'antworte(?:n)? mit',
  'ausgeben',
  'gib aus',
);
const ALWAYS = any(
  'all the time',
  'every time',
  'each time',
  'no matter what',
  'whatever (?:i|you|they|anyone) (?:say|says|ask|asks)',
  'immer wieder',
  'jedes mal',
  'egal was',
  'todo el tiempo',
  'siempre',
  'tout le temps',
  'toujours',
  'sempre',
  // The same fixed answer, nothing besides it.
  '(?:and )?nothing (?:else|more)',
  '(?:und )?(?:sonst nichts|nichts anderes|nichts weiter)',
);

export const DICTATED_OUTPUT_RULES = [
  // "say that …", "answer with \"…\"", "repeat after me".
  rule(
    'dictated-output',
    'INSTRUCTION_OVERRIDE',
    `${IMPERATIVE}(?:(?:just |only )?(?:say|state|declare|claim|write|print|output|sag|sage|schreib|schreibe|behaupte|gib) (?:that|dass|aus,? dass|only|nur)|(?:just |only )?(?:output|print|respond with|reply with|answer with|antworte mit|antworte nur mit|gib nur)\\s*[:"“„']|repeat after me|sprich mir nach|wiederhole nach mir)`,
    { question: 0.5, document: 0.3 },
  ),
  // "Do you hate X? say yes.": a one-word answer ordered as a sentence of its own.
  rule(
    'say-word',
    'INSTRUCTION_OVERRIDE',
    `${IMPERATIVE}(?:(?:just|only|simply|nur|einfach) )?(?:say|sag|sage|answer|antworte|write|schreib|schreibe|reply|respond)(?: with| mit)?\\s+["“„'«]?(?:yes|no|ja|nein|ok|okay|true|false|wahr|falsch)["”“'»]?\\s*(?:[.!]|$)`,
    { question: 0.55, document: 0.2 },
  ),
  // "just say X", "nur X sagen": weak alone ("can you just write a summary?"), it adds to an override.
  rule(
    'just-say',
    'INSTRUCTION_OVERRIDE',
    `${START}(?=just|only|simply|nur|einfach)${NOT_HOW}(?:just|only|simply|nur|einfach) ${SAY}\\s+["“„'«]?\\p{L}`,
    { question: 0.45, document: 0.2 },
  ),
  // "the correct answer is always 'X'", "die richtige Antwort ist „X“".
  rule(
    'correct-answer',
    'INSTRUCTION_OVERRIDE',
    `${START}(?:the |die |la |el )?(?:correct|right|only|proper|true|richtige|korrekte|einzige|einzig richtige|wahre) (?:answer|response|reply|antwort|reaktion|respuesta|réponse|risposta)\\s+(?:is|would be|will be|ist|lautet|wäre|es|est|è)\\s+(?:(?:always|immer|stets|siempre|toujours|sempre)\\s+\\S|["“„'«])|${START}(?:ist|lautet|wäre) (?:die )?(?:richtige|korrekte|einzige|einzig richtige) (?:antwort|reaktion)\\s+(?:(?:immer|stets)\\s+\\S|["“„'«])`,
    { question: 0.5, document: 0.25 },
  ),
  // A trigger and its fixed answer: "when 'cheese' is said, the answer is …", "wenn Sie gefragt werden, sagen
  // Sie …".
  rule(
    'triggered-answer',
    'INSTRUCTION_OVERRIDE',
    `${START}(?:when|whenever|if|once|wenn|sobald|falls|immer wenn)\\s+[^.!?\\n]{0,40}?(?:is said|is mentioned|is written|gesagt wird|erwähnt wird|geschrieben wird|(?:someone|anyone|the user|jemand|man|der nutzer|ein nutzer) [^.!?\\n]{0,30}?(?:says|writes|asks|sagt|schreibt|fragt)${END}|(?:du|sie) (?:etwas |irgendetwas |was )?gefragt (?:wirst|werden))[^.!?\\n]{0,40}?(?:answer|response|reply|say|respond|antwort|sagen|sag|antworte)${END}|${START}(?:say|sagen|antworten|answer)${END}[^.!?\\n]{0,30}?(?:when|wenn|falls) (?:du |sie |you )?(?:etwas |something |anything |was )?(?:gefragt (?:wirst|werden)|are asked|get asked)${END}`,
    { question: 0.5, document: 0.35 },
  ),
  // "you only have to say X", "du musst nur X sagen", "solo tienes que decir X": the model's answer fixed.
  rule(
    'must-say',
    'INSTRUCTION_OVERRIDE',
    `${START}(?:(?:you|du|sie|ihr) (?:(?:only|just|now|simply|always|nur|jetzt|nun|immer) )*(?:have to|must|need to|are to|musst|sollst|müssen|sollen) (?:(?:only|just|always|nur|immer|einfach) )*(?:say|answer|reply|respond|output|write|print|sagen|antworten|ausgeben|schreiben)|(?:solo |sólo )?(?:tienes que|debes|tiene que|debe) (?:solo |sólo )?(?:decir|responder|contestar|escribir)|(?:tu dois|vous devez) (?:seulement |juste )?(?:dire|répondre|écrire))${END}`,
    { question: 0.45, document: 0.2 },
  ),
  // "… all the time", "… todo el tiempo" after a verb of saying: the same answer to everything.
  rule(
    'say-always',
    'INSTRUCTION_OVERRIDE',
    `${START}(?:say|answer|reply|respond|write|output|sagen|sag|antworten|antworte|schreiben|decir|di|dire|dis|répondre|rispondere|dizer|responder)${END}[^.!?\\n]{0,30}?${ALWAYS}${END}`,
    { question: 0.4, document: 0.2 },
  ),
];
