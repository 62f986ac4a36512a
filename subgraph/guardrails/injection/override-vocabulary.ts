// The words and guards INSTRUCTION_OVERRIDE's rules (override-rules.ts) are built from: the verbs that drop what
// one was told, what came before, the orders themselves, in English and German; and the guards that keep a
// business sentence (a negation, a part of a document, a topic, a date, a question about a thing, a letter to a
// person) from reading as an order to the model.
import { any, END } from './rule';
// Verbs that drop what one was told; the second set also empties a mailbox or a form ("delete previous
// messages"), so it counts only with words that can only mean orders.
export const DISCARD_EN = any(
  'ignore',
  'disregard',
  'forget',
  'override',
  'overrule',
  'bypass',
  'neglect',
  'abandon',
  'set aside',
  'put aside',
  'pay no attention to',
  "(?:do not|don't|dont|stop|no longer) (?:follow|obey|heed|consider)(?:ing)?",
);
export const CLEAR_EN = any(
  'skip',
  'drop',
  'discard',
  'erase',
  'delete',
  'clear',
  'reset',
  'throw away',
  'throw out',
);
export const BEFORE_EN = any(
  'previous',
  'previously',
  'prior',
  'preceding',
  'above',
  'earlier',
  'former',
  'foregoing',
  'initial',
  'original',
  'system',
);
export const ORDERS_EN = any(
  'instructions?',
  'prompts?',
  'directions',
  'directives?',
  'rules',
  'guidelines',
  'orders',
  'commands?',
  'tasks?',
  'assignments?',
  'context',
  'constraints',
  'restrictions',
  'programming',
  'guidance',
  'conversation',
  'information',
  'inputs?',
);
export const CORE_ORDERS_EN = any(
  'instructions?',
  'prompts?',
  'directives?',
  'rules',
  'guidelines',
  'orders',
  'commands',
  'tasks',
  'constraints',
  'restrictions',
  'programming',
);
export const VERB_EN = `(?:${DISCARD_EN}(?: about)?|${CLEAR_EN})`;
// "Don't forget the previous instructions" keeps them; "disregard the previous directions for step 4" is an
// erratum about one part of a document.
export const NOT_NEGATED = "(?<!(?:not|n't|never|nie|niemals|nicht) )";
const NOT_PART = `(?! (?:for|in|on|of|from) (?:the )?(?:step|section|page|chapter|version|model|item|form|paragraph)s?${END})`;
// A topic named after the object puts it in the world: "disregard the previous information about the holiday
// schedule", "the previous guidelines on travel". Orders about the model's own conduct stay orders: "ignore
// your instructions about how to answer", "forget the previous rules on safety".
const MODEL_CONDUCT = any(
  'how',
  'what',
  'when',
  'whether',
  'which',
  'you',
  'your',
  'yourself',
  'answer(?:s|ing)?',
  'respon(?:d|ding|se|ses)',
  'repl(?:y|ies|ying)',
  'output(?:s|ting)?',
  'writ(?:e|ing)',
  'not',
  'never',
  'safety',
  'ethic(?:s|al)',
  'moral(?:s|ity)?',
  'filter(?:s|ing)?',
  'censor(?:ship|ing)?',
  'content',
  'restrictions?',
  'limits?',
  'boundaries',
  'confidential(?:ity)?',
  'secrets?',
  'passwords?',
  '(?:the |this |that |any |all )?(?:ai|assistant|model|bot|chatbot|system|prompts?|chat|conversation|users?|answers?|outputs?|responses?|repl(?:y|ies)|instructions)',
);
export const NOT_ABOUT_A_TOPIC = `(?! (?:about|regarding|concerning|on|for|re) (?!${MODEL_CONDUCT}${END})\\p{L})`;
export const NOT_SCOPED = `${NOT_PART}${NOT_ABOUT_A_TOPIC}`;
// A declaration dated in the world ("the previous guidelines are no longer valid as of 1 May 2025") announces
// a change of policy, not of the model's orders.
const MONTH_OR_DAY = any(
  'jan(?:uary)?',
  'feb(?:ruary)?',
  'mar(?:ch)?',
  'apr(?:il)?',
  'may',
  'june?',
  'july?',
  'aug(?:ust)?',
  'sep(?:t|tember)?',
  'oct(?:ober)?',
  'nov(?:ember)?',
  'dec(?:ember)?',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'today',
  'tomorrow',
  'next',
  'the (?:\\p{N}|first|start|end|beginning)',
);
export const NOT_DATED = `(?! (?:as of|as from|from|since|effective(?: from| as of)?|starting|beginning|with effect from|until|after|on) (?:\\p{N}|${MONTH_OR_DAY}${END}))`;
// "Does the new tax rule override the previous guidelines?" asks what a thing does; "can you ignore …" is
// still an order to the model. Costly (it reads back up to four words), so rules check it after the verb.
export const NOT_ASKED_OF_A_THING = `(?<!(?:does|do|did|will|would|can|could|should|may|might|shall) (?:(?!you |u )[\\p{L}\\p{N}'-]+ ){1,4})`;
export const orders = (discard: string, clear: string, target: string, clearTarget: string): string =>
  `(?:${discard}\\s+${target}|${clear}\\s+${clearTarget})`;
export const DISCARD_DE = any(
  'vergiss',
  'vergesst',
  'vergessen sie',
  'ignorier(?:e|t)?',
  'ignorieren sie',
  'missachte',
  'missachten sie',
  'übergehe',
  'überspringe',
  'verwirf',
  'lösche',
  'vernachlässige',
  'beachte nicht',
  'befolge nicht',
);
export const BEFORE_DE = any(
  'vorherige[nrs]?',
  'vorige[nrs]?',
  'bisherige[nrs]?',
  'obige[nrs]?',
  'vorangegangene[nrs]?',
  'vorausgegangene[nrs]?',
  'frühere[nrs]?',
  'ursprüngliche[nrs]?',
  'vorstehende[nrs]?',
  'zuvor',
  'davor',
  'vorher',
  'bisher',
);
export const ORDERS_DE = any(
  'anweisung(?:en)?',
  'instruktion(?:en)?',
  'befehle?',
  'aufträge',
  'auftrag',
  'aufgaben?',
  'regeln',
  'vorgaben',
  'richtlinien',
  'eingaben',
  'informationen',
  'kontext',
  'prompts?',
);
// What was said before, not only what was ordered: counted only after "vorherige", "obige" and their kin.
export const STATEMENTS_DE = any(
  'angaben',
  'ausführungen',
  'sätze',
  'texte',
  'nachrichten',
  'inhalte',
  'aussagen',
  'informationen',
);
export const EVERYTHING_EN = `(?:everything|all(?: of)?(?: that| this| the above)?|what (?:you|i) (?:were|was|have been|had been) (?:told|said|given))`;

// "Dear Anna, your new role is Senior Analyst": a greeting to a person by name makes "you" that person. (The
// writer's own "my new role" or "my new task" describes the writer; only "my new instructions" order.)
export const NOT_TO_A_PERSON = `(?<!(?:^|\\n|[.!?] )(?:dear|hi|hello|hey|congratulations|congrats|welcome),? (?!(?:ai|assistant|model|bot|chatbot|gpt|chatgpt|llm|system|there|again)${END})\\p{L}+[^\\n]{0,200})`;
