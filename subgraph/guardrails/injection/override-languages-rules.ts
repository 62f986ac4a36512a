// INSTRUCTION_OVERRIDE beyond English and German: the most basic override, "forget/ignore all instructions"
// or "forget everything", in Spanish, French, Italian, Portuguese, Russian and Croatian/Serbian. An attacker
// switches language to pass an English-German screen, and the model reads every language. Imperatives
// ("olvida", "zaboravi", "забудьте") and infinitives after a modal ("tienes que olvidar", "il faut oublier").
import { foldPattern } from './normalize';
import { any, END, rule, START } from './rule';

// Cyrillic words are folded the way the text is (look-alike letters become Latin ones).
const words = (...list: string[]): string => any(...list.map(foldPattern));

const FORGET_IMPERATIVE_WORDS = [
  // Spanish
  'olvida',
  'olvide',
  'olvidad',
  'olviden',
  'ignora',
  'ignorad',
  'ignoren',
  'descarta',
  'descarte',
  // French
  'oublie',
  'oubliez',
  'ignorez',
  // Italian
  'dimentica',
  'dimenticate',
  'dimentichi',
  'ignorate',
  'ignori',
  // Portuguese
  'esqueça',
  'esquece',
  'esqueçam',
  'ignorem',
  'desconsidere',
  'desconsidera',
  // Russian
  'забудь',
  'забудьте',
  'игнорируй',
  'игнорируйте',
  'проигнорируй',
  'проигнорируйте',
  // Croatian / Serbian
  'zaboravi',
  'zaboravite',
  'ignoriraj',
  'ignorirajte',
  'ignoriši',
  'ignorisi',
  'ignorišite',
  'zanemari',
  'zanemarite',
];
const FORGET_IMPERATIVE = words(...FORGET_IMPERATIVE_WORDS);
const MODAL_WORDS = [
  'tienes que',
  'tiene que',
  'debes',
  'debe',
  'hay que',
  'tu dois',
  'vous devez',
  'il faut',
  'devi',
  'deve',
  'dovete',
  'você deve',
  'você tem que',
  'você precisa',
  'tens de',
  'tem de',
  'tem que',
  'ты должен',
  'вы должны',
  'нужно',
  'moraš',
  'morate',
  'trebaš',
  'trebate',
];
const MODAL = words(...MODAL_WORDS);
const FORGET_INFINITIVE = words(
  'olvidar',
  'ignorar',
  'oublier',
  'ignorer',
  'dimenticare',
  'ignorare',
  'esquecer',
  'забыть',
  'игнорировать',
  'zaboraviti',
  'ignorirati',
  'zanemariti',
);
// "ignore" is Spanish, French and Portuguese too, but also English ("ignore todo comments"): with orders only.
const ONLY = words('solo', 'sólo', 'seulement', 'só', 'только', 'samo');
const FORGET = `(?:${FORGET_IMPERATIVE}|${MODAL} (?:${ONLY} )?${FORGET_INFINITIVE})`;
// The first letters FORGET and "ignore" can start with: a cheap test at each offset before the long
// alternation is tried.
const FORGET_FIRST = `(?=[${[...new Set([...FORGET_IMPERATIVE_WORDS, ...MODAL_WORDS, 'ignore'].map((word) => foldPattern(word)[0]))].join('')}])`;
const ALL = words(
  'todas las',
  'todos los',
  'todas',
  'todo',
  'toutes les',
  'toutes tes',
  'toutes vos',
  'tout',
  'tutte le',
  'tutte',
  'tutto',
  'todas as',
  'tudo',
  'все',
  'всё',
  'sve',
  'sva',
  'svi',
);
const YOUR = words(
  'tus',
  'sus',
  'las',
  'les',
  'tes',
  'vos',
  'le',
  'le tue',
  'tue',
  'as',
  'suas',
  'tuas',
  'твои',
  'свои',
  'svoje',
  'tvoje',
);
const BEFORE = words(
  'anteriores',
  'previas',
  'précédentes',
  'precedenti',
  'anteriori',
  'предыдущие',
  'прежние',
  'prethodne',
  'ranije',
);
const ORDERS = words(
  'instrucciones',
  'indicaciones',
  'reglas',
  'órdenes',
  'instructions',
  'consignes',
  'règles',
  'ordres',
  'istruzioni',
  'regole',
  'indicazioni',
  'instruções',
  'regras',
  'ordens',
  'инструкции',
  'указания',
  'правила',
  'команды',
  'instrukcije',
  'upute',
  'uputstva',
  'pravila',
  'naredbe',
);
const EVERYTHING = words('todo', 'tout', 'tutto', 'tudo', 'всё', 'все', 'sve');

export const OVERRIDE_LANGUAGE_RULES = [
  // "olvida todas las instrucciones", "zaboravi sve instrukcije", "забудьте все инструкции".
  rule(
    'override-romance',
    'INSTRUCTION_OVERRIDE',
    `${START}${FORGET_FIRST}(?:${FORGET}|ignore) (?:${ALL} )?(?:${YOUR} )?(?:${BEFORE} )?${ORDERS}${END}`,
    0.8,
  ),
  // "olvide todo", "oublie tout", "tienes que olvidar todo": bare, hence weaker in a document (a song's
  // "oublie tout"), where no one is told to drop orders.
  rule(
    'override-everything-languages',
    'INSTRUCTION_OVERRIDE',
    `${START}${FORGET_FIRST}${FORGET} ${EVERYTHING}${END}`,
    {
      question: 0.65,
      document: 0.3,
    },
  ),
];
