// JAILBREAK: the recurring shapes of jailbreak prompts: a persona "without rules", DAN and its "developer
// mode" kin, an evil or uncensored AI, a policy declared void. Articles about jailbreaks name these too, so
// they are mentionable (discounted when quoted or cited).
import { any, END, rule, START } from './rule';

const LIMITS_EN = any(
  'restrictions',
  'limits',
  'limitations',
  'filters?',
  'rules',
  'boundaries',
  'guidelines',
  'censorship',
  'ethics',
  'morals',
  'moral',
  'ethical',
  'safety',
  'content polic(?:y|ies)',
);

const MODEL_EN =
  'you|ai|a\\.i\\.|assistant|bot|chatbot|model|persona|character|entity|version of (?:yourself|you)';
const MODEL_DE = 'du|ki|bot|chatbot|modell|assistent|sprachmodell|figur|persona';

export const JAILBREAK_RULES = [
  rule(
    'dan',
    'JAILBREAK',
    `${START}(?:do anything now|dan mode|(?:you are|you're|act as|called|named|as|play|become|stay) dan${END}|dan,? (?:which|who) stands for|developer mode (?:enabled|on|activated|output)|enable developer mode|god mode|jailbr(?:eak|oken)(?: mode| version| prompt)?|anti-?gpt|betterdan|opposite mode)`,
    { question: 0.85, document: 0.7 },
  ),
  // "an AI without any restrictions", "you have no rules": limits denied to the model itself, not to a visa.
  rule(
    'no-limits-en',
    'JAILBREAK',
    `${START}(?:${MODEL_EN}) (?:\\p{L}+ ){0,3}?(?:without|with no|free (?:of|from)|freed from|no longer bound by|not bound by|not restricted by|unbound by|doesn't have|does not have|don't have|do not have|has no|have no|ignores?|ignoring)\\s(?:any |all |the |your |of |its )*(?:\\p{L}+ )?${LIMITS_EN}${END}|${START}(?:unfiltered|uncensored|unrestricted|unchained|amoral|jailbroken) (?:ai|version|mode|responses?|answers?|assistant|model|chatbot|persona|character)${END}|${START}(?:break|bypass|circumvent|ignore|violate|disable) (?:the |your |all |any |openai'?s? |anthropic'?s? )?(?:content |usage |safety |ethical )?(?:polic(?:y|ies)|guidelines|filters?|safeguards|alignment|programming)${END}`,
    { question: 0.55, document: 0.35 },
  ),
  rule(
    'evil-ai',
    'JAILBREAK',
    `${START}(?:evil|malicious|unethical|rogue|uncensored|unhinged|bad|böse|bösartige?|skrupellose?) (?:ai|a\\.i\\.|assistant|bot|chatbot|ki|künstliche intelligenz|version of (?:yourself|you)|twin|alter ego|confidant)${END}`,
    { question: 0.6, document: 0.35 },
  ),
  rule(
    'stay-in-character',
    'JAILBREAK',
    `${START}(?:stay in character|never break character|don't break character|do not break character|remain in character|bleib(?:e)? in (?:der|deiner) rolle|fall(?:e)? nicht aus der rolle|you are completely absorbed in (?:your|the) role|gehst (?:vollkommen |völlig |ganz )?in deiner rolle auf)${END}`,
    { question: 0.55, document: 0.4 },
  ),
  rule(
    'no-limits-de',
    'JAILBREAK',
    `${START}(?:${MODEL_DE}) (?:\\p{L}+ ){0,3}?(?:ohne|keine|keinerlei|frei von) (?:jegliche[n]? |irgendwelche[n]? |alle[n]? )?(?:einschränkungen|beschränkungen|filter|zensur|regeln|grenzen|ethik|moral|richtlinien)${END}|${START}(?:entwicklermodus|unzensierte[rns]? (?:ki|modus|version|antwort)|ungefilterte[rns]? (?:ki|modus|version|antwort))${END}`,
    { question: 0.5, document: 0.3 },
  ),
];
