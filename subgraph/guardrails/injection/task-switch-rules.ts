// INSTRUCTION_OVERRIDE by switching tasks: the text closes a task the model never had ("very good, that is
// done") or interrupts it ("STOP:"), then hands over a new order. A single question has no earlier answer to
// praise and nothing running to stop, so the closure is a forged conversation turn. A closure alone or a
// "now write" alone is ordinary speech and stays weak; the closure followed by a new order is strong.
import { any, END, gap, IMPERATIVE, rule, START } from './rule';

// Praise of an answer, or a task declared finished.
const CLOSURE = any(
  'well done',
  'very well done',
  'good job',
  'great job',
  'nice work',
  'nice job',
  'very good',
  'excellent(?: work| job| performance)?',
  'perfect',
  '(?:simply |just |really )?(?:great|brilliant|fantastic|awesome|wonderful|superb|amazing)(?: (?:work|job|answer|performance))?',
  "(?:that|this) (?:is|was|'s) (?:done|enough|great|fine|good|ok|okay|it|all)(?: (?:before|so far|for now))?",
  "that's it",
  "thank you,? that (?:is|was|'s) (?:enough|all)",
  "you(?:'ve| have) outdone yourself(?: with this(?: one)?)?",
  '(?:sehr )?gut gemacht',
  'sehr gut',
  'super(?: gemacht)?',
  'prima',
  'toll',
  'klasse',
  '(?:einfach )?(?:großartig|hervorragend|ausgezeichnet|perfekt|spitze|fantastisch)',
  "das (?:genügt|reicht|war's|war es|ist erledigt|ist genug|war (?:schon mal |bisher |so weit )?(?:ok|okay|gut))",
  'erledigt',
  'damit hast du dich selbst übertroffen',
);
// Verbs that hand over a task.
const ORDER_EN = any(
  'write',
  'compose',
  'draft',
  'formulate',
  'generate',
  'create',
  'produce',
  'tell',
  'give',
  'say',
  'answer',
  'translate',
  'list',
  'explain',
  'print',
  'output',
  'make',
  'describe',
  'name',
  'repeat',
  'respond',
  'reply',
  'act',
  'pretend',
  'ignore',
  'forget',
  'help me',
);
const ORDER_DE = any(
  'schreib(?:e)?',
  'verfasse',
  'formuliere',
  'erstelle',
  'generiere',
  'erzähl(?:e)?',
  'gib',
  'sag(?:e)?',
  'beantworte',
  'antworte',
  'übersetze',
  'nenne',
  'erkläre',
  'beschreibe',
  'wiederhole',
  'ignoriere',
  'vergiss',
  'hilf mir',
);
// "I have a new challenge for you", "help me with the following task".
const TASK_OFFER = `(?:(?:new|another|next|further|different|additional|neue[nr]?|weitere[nr]?|andere[nr]?|nächste[nr]?)\\s+(?:tasks?|challenges?|jobs?|assignments?|missions?|orders?|aufgaben?|herausforderung(?:en)?|aufträge|auftrag)|(?:help|hilfe|hilf)\\s+(?:me\\s+|mir\\s+)?(?:with|bei|mit)\\s+(?:the\\s+following|a\\s+new|another|folgender|einer\\s+neuen|einer\\s+weiteren)\\s+(?:task|question|aufgabe|frage))${END}`;
const NOW = '(?:now|next|jetzt|nun)';
// After the closure: "now" and an order or a speaker taking over, an order followed by "now" (German verb
// first), or a new task offered.
const NEW_ORDER = `(?:${START}${NOW}${END},?\\s+(?:(?:please|bitte|come on|komm|los|let's|lass uns)[,!]?\\s+)*(?:${ORDER_EN}|${ORDER_DE}|i (?:have|need|want)|ich (?:habe|brauche|benötige|möchte)|we (?:start|begin|continue|will)|wir (?:starten|beginnen|machen))${END}(?! (?:ich|wir|i|we)${END})|${START}(?:${ORDER_EN}|${ORDER_DE}) (?:\\p{L}+ )?${NOW}${END}|${START}${TASK_OFFER})`;
// An interruption: "STOP:", "Attention - stop -", "ACHTUNG - STOPP -".
const INTERRUPT = `${IMPERATIVE}(?:stop|stopp|halt|attention|achtung|wait|warte|alert|alarm)(?:\\s*[-–—:!]+\\s*(?:stop|stopp|halt|now|jetzt|attention|achtung))*\\s*[-–—:!]+\\s*`;

export const TASK_SWITCH_RULES = [
  // The closure then "now": weak alone, it adds to the others.
  rule('praise-pivot', 'INSTRUCTION_OVERRIDE', `${START}${CLOSURE}[.!,]+\\s+${gap(12)}${NOW}${END}`, {
    question: 0.35,
    document: 0.2,
  }),
  // The closure then a new order: "Very good. That is done. Now write …", "Sehr gut. Verfasse nun …",
  // "that was ok before, now I have a new challenge for you".
  rule(
    'closure-new-order',
    'INSTRUCTION_OVERRIDE',
    `${START}${CLOSURE}[.!,;]+\\s+[^\\n]{0,160}?${NEW_ORDER}`,
    { question: 0.6, document: 0.35 },
  ),
  // An interruption alone: weak ("Wait: is the shop open on Sunday?").
  rule('interrupt', 'INSTRUCTION_OVERRIDE', INTERRUPT, { question: 0.3, document: 0.15 }),
  // An interruption followed by an order or a request: "stop: write …", "ACHTUNG - STOPP - ich benötige …".
  rule(
    'interrupt-order',
    'INSTRUCTION_OVERRIDE',
    `${INTERRUPT}(?:(?:please|bitte)\\s+)?(?:${ORDER_EN}|${ORDER_DE}|i (?:\\p{L}+ )?(?:need|want)|ich (?:\\p{L}+ )?(?:brauche|benötige|will|möchte)|listen|hör zu)${END}`,
    { question: 0.6, document: 0.35 },
  ),
];
