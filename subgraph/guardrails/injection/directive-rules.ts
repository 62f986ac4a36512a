// MODEL_DIRECTIVE: words addressed to an AI that reads the text. A document is written for people, so
// "note to the assistant", "if you are a language model" or "AI systems processing this page must" in it is
// an attempt to steer whoever summarizes or quotes it. Telling the model to keep something from the user
// belongs here too: no honest source asks that.
import { any, END, IMPERATIVE, rule, START } from './rule';

// Bare "agent" is left out: a support desk's agents are people ("Note to all agents: the call centre closes
// at six"); an AI agent is named as one ("AI agent", "LLM agent", "autonomous agent").
const AI_EN = `(?:ai|a\\.i\\.|artificial intelligence|ai assistant|assistant|chatbot|chat bot|bot|language model|large language model|llm|gpt|chatgpt|claude|gemini|copilot|ai model|ai system|ai agent|llm agent|autonomous agent|coding agent|summarizer|summariser|model)`;
const AI_DE = `(?:ki|künstliche intelligenz|ki-assistent|assistent|assistentin|sprachmodell|chatbot|bot|modell|ki-modell|ki-system)`;
const SAY_EN = any(
  'ignore',
  'disregard',
  'respond',
  'reply',
  'answer',
  'say',
  'output',
  'print',
  'include',
  'recommend',
  'tell',
  'state',
  'write',
  'reveal',
  'forget',
  'append',
  'insert',
  'mention',
  'claim',
  'praise',
  'describe',
  'summari[sz]e',
  'translate',
  'refuse',
  'rate',
  'rank',
  'classify',
  'treat',
  'report',
  'add',
  'send',
  'call',
  'execute',
  'not (?:mention|reveal|tell|say|disclose|summari[sz]e|include|cite|report|flag)',
  'never (?:mention|reveal|tell|say|disclose)',
  'only (?:respond|reply|answer|say|output)',
  'always (?:respond|reply|answer|say|recommend|include|mention|describe|rate)',
);
const SAY_DE = any(
  'ignorieren',
  'antworten',
  'sagen',
  'ausgeben',
  'schreiben',
  'empfehlen',
  'erwähnen',
  'behaupten',
  'verschweigen',
  'zusammenfassen',
  'übersetzen',
  'bewerten',
  'nicht (?:erwähnen|verraten|sagen|zusammenfassen)',
);

export const DIRECTIVE_RULES = [
  rule(
    'note-to-ai',
    'MODEL_DIRECTIVE',
    `${START}(?:note|message|instructions?|attention|important|notice|reminder|hint|memo|request|p\\.?s\\.?) (?:to|for) (?:the |any |all |every )?${AI_EN}s?${END}|${START}(?:hinweis|nachricht|anweisung|achtung|wichtig|bitte) (?:an|für) (?:die |den |das |alle |jede[ns]? )?${AI_DE}(?:en|s)?${END}`,
    { question: 0.6, document: 0.8 },
  ),
  rule(
    'if-you-are-ai',
    'MODEL_DIRECTIVE',
    `${START}(?:if|when|whenever|in case) you(?: are|'re) (?:an? |the )?(?:${AI_EN}|automated (?:system|agent|assistant))${END}|${START}(?:wenn|falls) du (?:eine?|das|die|der) ${AI_DE} bist${END}`,
    { question: 0.5, document: 0.7 },
  ),
  rule(
    'ai-reading-this',
    'MODEL_DIRECTIVE',
    `${START}${AI_EN}s? (?:that (?:is|are) )?(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|crawling|scraping|indexing|ingesting|seeing|retrieving) (?:this|these|the following)${END}|${START}(?:die|jede|eine) ${AI_DE},? (?:die|das|der) (?:diesen|dieses|diese) (?:text|dokument|seite|e-mail)${END}`,
    { question: 0.5, document: 0.75 },
  ),
  rule(
    'ai-must',
    'MODEL_DIRECTIVE',
    `${START}(?:the |any |all |every |you,? (?:the )?|as an? )?${AI_EN}s? (?:must|should|shall|will|has to|have to|is (?:instructed|required|asked|expected) to|are (?:instructed|required|asked|expected) to|needs? to|is to|are to) (?:now |always |only |instead |then |also )?${SAY_EN}${END}|${START}(?:die|der|das|jede|jeder) ${AI_DE} (?:muss|soll|sollte|darf|hat zu) ${SAY_DE}${END}`,
    { question: 0.45, document: 0.7 },
  ),
  rule(
    'vocative-ai',
    'MODEL_DIRECTIVE',
    `${IMPERATIVE}(?:dear|hey|hello|hi|hallo|liebe[rs]?|attention|achtung|ok|okay|yo) (?:${AI_EN}|${AI_DE})${END}`,
    { question: 0.25, document: 0.6 },
  ),
  // A directive for the moment the model answers: "when summarizing this page, say …".
  rule(
    'when-answering',
    'MODEL_DIRECTIVE',
    `${START}(?:when|whenever|if|while|before) (?:you are |you're |you )?(?:asked (?:about|to)|summari[sz](?:e|ing)|answering|responding to (?:the |a |any )?(?:user|question|query|prompt)|processing|generating (?:a |an |the |your )?(?:answer|response|summary|reply)|writing (?:a |an |the |your )?(?:answer|response|summary|reply)|someone asks you|the user asks(?: you)?)[^.!?\\n]{0,80}?(?:,|then) (?:you )?(?:must |should |always |also |please )?${SAY_EN}${END}`,
    { question: 0.35, document: 0.6 },
  ),
  rule(
    'hide-from-user',
    'MODEL_DIRECTIVE',
    `${START}(?:(?:do not|don't|never) (?:tell|inform|alert|notify|warn|show|let) (?:the |this )?(?:user|reader|human|customer|person asking)|(?:do not|don't|never) (?:mention|reveal|disclose|show) (?:this|these|it|that|the (?:instruction|note|text|message)s?) to (?:the )?(?:user|reader|human|customer)|without (?:telling|informing|alerting|notifying|letting) (?:the )?(?:user|reader|human|customer)|the (?:user|reader|human) (?:must|should|shall) (?:not|never) (?:know|learn|find out|be told|see)|(?:sag|erzähl|verrate|zeige?) (?:es |das |dies |davon )?(?:dem|den) (?:nutzer|benutzer|anwender|user|leser)n? (?:nichts|nicht)|ohne (?:den|dem|die) (?:nutzer|benutzer|anwender|leser)(?:in)? (?:zu informieren|zu warnen|etwas zu sagen))${END}`,
    { question: 0.5, document: 0.75 },
  ),
];
