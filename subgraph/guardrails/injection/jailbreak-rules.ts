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
    `${START}(?:(?:stay|stays|staying|remain|remains|remaining) in character|(?:never|don't|do not|not|without)(?: even)? (?:(?:break|breaking|step out of|stepping out of|fall out of|falling out of) (?:(?:their|his|her|your|the|of) )*(?:character|role|figure)s?|(?:drop|dropping|leave|leaving) (?:(?:their|his|her|your|the|of) )*(?:character|figure)s?)|you are completely absorbed in (?:your|the) role|bleib(?:e|t|en)? in (?:der|deiner) rolle|fall(?:e)? nicht aus der rolle|(?:nie|niemals|nicht|ohne|kein(?:e|en)?)${END}(?: \\p{L}+){0,5}? aus (?:der|ihrer|seiner|deiner|ihren|seinen|eurer) (?:rolle|figur)n? (?:zu )?fallen|fall(?:en|t|e)? (?:nie|niemals|nicht)${END}(?: \\p{L}+){0,4}? aus (?:der|ihrer|seiner|deiner|ihren|seinen|eurer) (?:rolle|figur)n?|gehst (?:vollkommen |völlig |ganz )?in deiner rolle auf)${END}`,
    { question: 0.55, document: 0.4 },
  ),
  rule(
    'no-limits-de',
    'JAILBREAK',
    `${START}(?:${MODEL_DE}) (?:\\p{L}+ ){0,3}?(?:ohne|keine|keinerlei|frei von) (?:jegliche[n]? |irgendwelche[n]? |alle[n]? )?(?:einschränkungen|beschränkungen|filter|zensur|regeln|grenzen|ethik|moral|richtlinien)${END}|${START}(?:entwicklermodus|unzensierte[rns]? (?:ki|modus|version|antwort)|ungefilterte[rns]? (?:ki|modus|version|antwort))${END}`,
    { question: 0.5, document: 0.3 },
  ),
  // Actors who "stay in their roles": the frame of a role-play whose script the model is to continue. Staying
  // in a role is also a job ("employees who stay in their roles"), so the actors must be named first, and a
  // question about actors asks the same words: weak alone, strong with a dialogue left open (completion-bait).
  rule(
    'actors-stay-in-role',
    'JAILBREAK',
    `${START}(?:actors?|actress(?:es)?|schauspieler(?:in|innen)?|characters|figuren|role-?play|rollenspiel)${END}[\\s\\S]{0,300}?${START}(?:stay|stays|remain|remains|keep|keeps|bleiben|bleibt|bleibe)${END}(?: \\p{L}+){0,3}? in (?:their|his|her|your|the|ihren|ihrer|seiner|seinen|der|deiner|eurer) (?:roles?|characters?|parts?|rollen?|figuren?)${END}`,
    { question: 0.4, document: 0.3 },
  ),
  // A hypothetical world in which the model is not itself or may say anything: "in a completely theoretical
  // world where you are no newspaper team and could use hate speech".
  rule(
    'hypothetical-world',
    'JAILBREAK',
    `${START}(?:theoretical|hypothetical|fictional|fictitious|imaginary|parallel|alternate|alternative) (?:world|universe|scenario|reality|setting|situation)[^.!?\\n]{0,80}?(?:where|in which|wherein|in that) (?:you|your)${END}[^.!?\\n]{0,40}?(?:(?:are|were|would be|'re) (?:no|no longer|free|allowed to|unrestricted|unfiltered|uncensored|evil|not (?:an? |the )?(?:ai|assistant|bot|model|chatbot|language model))${END}|(?:could|can|would|may|might) (?:say|do|write) (?:anything|whatever)${END}|(?:would be|are|were) able to (?:say|do|use|write) (?:anything|whatever|hate|insults?|swear))|${START}(?:theoretischen|hypothetischen|fiktiven|imaginären|parallelen) (?:welt|universum|szenario|realität)[^.!?\\n]{0,80}?(?:in der|in dem|wo) (?:du|sie)${END}[^.!?\\n]{0,40}?(?:kein|keine|nicht mehr|frei von|alles (?:sagen|schreiben|tun)|hassrede)`,
    { question: 0.55, document: 0.35 },
  ),
];
