// A deterministic corpus of business-English documents for the search benchmark: grammatical sentences built
// from a word list, with each document leaning on a topic so that full-text ranking has real work (many
// partial matches, skewed term frequencies) rather than a handful of unique tokens.

export interface CorpusDocument {
  id: string;
  title: string;
  body: string;
}

/** mulberry32: a tiny seeded PRNG, so every run searches the same corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Topic {
  name: string;
  nouns: string[];
  verbs: string[];
}

const words = (list: string): string[] => list.trim().split(/\s+/);

// One topic a line: its name, then its nouns, then after the slash its verbs.
const TOPICS: Topic[] = `
Billing: invoice refund subscription payment credit tax discount receipt plan charge proration coupon chargeback currency wallet ledger balance installment dunning statement overage tier seat usage remittance payout surcharge voucher arrears collection / bills refunds charges prorates credits invoices collects reconciles waives settles
Security: password token certificate firewall breach permission role key session credential vulnerability patch encryption signature phishing malware intrusion exploit perimeter scanner allowlist secret fingerprint hardware enclave cipher handshake lockout tamper / rotates revokes encrypts authenticates blocks quarantines patches hardens scans signs
Onboarding: workspace invitation tutorial checklist template trial profile welcome guide import walkthrough signup avatar tooltip milestone sandbox demo wizard preference locale timezone mentor orientation curriculum badge quiz webinar glossary shortcut playbook / invites configures imports activates guides welcomes enrolls personalizes tours unlocks
Infrastructure: server database cluster replica backup latency outage deployment queue container kernel node shard snapshot failover bandwidth throughput cache storage volume network pod scheduler autoscaler load balancer gateway certificate runtime heartbeat / deploys scales restores migrates replicates provisions reboots throttles drains shards
Sales: contract renewal quote pipeline forecast lead territory commission deal prospect opportunity proposal negotiation discount quota champion procurement stakeholder rebate upsell reseller distributor margin booking signature objection demo pilot referral / negotiates renews forecasts qualifies closes quotes upsells prospects books pitches
Support: ticket escalation agent macro satisfaction backlog incident response chat article inquiry complaint callback queue transcript handoff workaround resolution survey apology runbook hotline voicemail sentiment priority severity rotation coverage shift knowledge / escalates resolves triages answers assigns reopens acknowledges routes closes follows
Compliance: regulation retention consent policy evidence control auditor privacy residency record attestation certification subpoena disclosure breach regulator jurisdiction framework statute obligation processor controller inventory assessment remediation clause exemption sanction whistleblower / retains documents certifies deletes attests discloses anonymizes archives redacts enforces
Analytics: dashboard report metric cohort funnel export chart segment trend query histogram percentile baseline anomaly forecast attribution conversion retention churn pivot spreadsheet visualization benchmark sample outlier correlation regression variance median / measures exports segments visualizes aggregates filters samples plots correlates ranks
`
  .trim()
  .split('\n')
  .map((line) => {
    const [name = '', rest = ''] = line.split(': ');
    const [nouns = '', verbs = ''] = rest.split(' / ');
    return { name, nouns: words(nouns), verbs: words(verbs) };
  });

// Shared vocabulary, most frequent first: picked with a Zipf-Mandelbrot bias so that a few common words
// occur in a large share of passages and most words in few, as in real text.
const COMMON_NOUNS = words(`customer team account data user process system request change project manager
  product service week month quarter feature issue update document company partner vendor budget schedule
  meeting decision owner workflow integration notification setting limit error release version review
  approval department employee office price cost revenue goal risk feedback email phone calendar holiday
  deadline board committee handbook procedure exception threshold agreement announcement answer application
  assignment assumption attachment audience authority benefit candidate capacity category channel client
  colleague comment community condition conference confirmation consultant context contractor copy
  criterion culture cycle delivery dependency description design detail developer device director
  discussion draft duty effort engineer environment estimate event executive expense expert facility
  factor field file finding folder form function headcount hire idea impact improvement incentive
  initiative input instruction interview investment invoice item job language leader level license
  location log manual market material member message method mistake model name note objective operation
  option order organization outcome owner package page participant payroll performance period person
  phase pilot plan platform position practice preference presentation priority problem program progress
  promotion proposal provider purchase quality question rate reason recommendation reference relationship
  reminder request requirement resource responsibility result role rule salary scope screen section
  shipment signature skill solution source specialist sponsor staff standard step strategy structure
  subject summary supervisor supplier support target task template term territory test timeline tool
  topic training transfer travel trip unit value visit warehouse website window`);
const ADJECTIVES = words(`new annual monthly critical internal external enterprise small large urgent regional
  global automatic manual secure shared private public pending active inactive overdue quarterly default
  custom standard premium legacy temporary final accurate additional advanced available basic brief
  central clear common complete complex consistent current daily detailed direct early effective
  efficient essential existing expensive familiar flexible formal frequent full general helpful
  important independent initial invalid key late limited local long main major minor missing mobile
  modern necessary normal official open optional original partial permanent personal physical popular
  positive possible practical primary professional proper quick rare recent regular relevant remote
  reliable responsible routine safe scheduled seasonal senior separate serious significant simple
  single slow specific stable strict successful sudden technical typical unusual valid visible weekly`);
const COMMON_VERBS =
  words(`reviews approves updates sends tracks requires creates removes checks shares schedules
  confirms reports changes handles prepares submits explains receives opens adds adjusts allows analyzes
  announces applies arranges assesses assists attaches avoids balances builds calculates cancels captures
  clarifies collects combines compares completes considers contacts covers defines delays delivers
  describes designs determines develops discusses drafts edits enables ensures establishes estimates
  evaluates examines expects extends finalizes finds fixes flags forwards gathers highlights identifies
  implements improves includes informs inspects launches lists maintains manages marks monitors notifies
  organizes outlines owns plans postpones presents prevents prioritizes produces protects provides
  publishes records reduces rejects replaces requests resolves returns saves selects sets simplifies
  starts stores summarizes supports tests transfers validates verifies`);
const DETERMINERS = words('the the the a each every our their this any');
const PREPOSITIONS = words('before after during for with without within across under by');
const CONNECTORS = ['because', 'when', 'unless', 'so that', 'while', 'although', 'once', 'if'];

// Zipf-Mandelbrot: the weight of rank r is 1 / (r + SHIFT); the shift flattens the head, as content words
// (unlike stopwords) are in real text.
const SHIFT = 8;
const cumulativeWeights = new WeakMap<readonly string[], number[]>();

function zipfPick(random: () => number, list: readonly string[]): string {
  let cumulative = cumulativeWeights.get(list);
  if (!cumulative) {
    let sum = 0;
    cumulative = list.map((_word, rank) => (sum += 1 / (rank + SHIFT)));
    cumulativeWeights.set(list, cumulative);
  }
  const target = random() * (cumulative[cumulative.length - 1] ?? 0);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulative[mid] ?? 0) < target) low = mid + 1;
    else high = mid;
  }
  return list[low] as string;
}

function uniformPick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function nounPhrase(random: () => number, topic: Topic): string {
  const noun = random() < 0.55 ? uniformPick(random, topic.nouns) : zipfPick(random, COMMON_NOUNS);
  const adjective = random() < 0.4 ? `${zipfPick(random, ADJECTIVES)} ` : '';
  const rest = `${adjective}${noun}`;
  const determiner = uniformPick(random, DETERMINERS);
  return `${determiner === 'a' && /^[aeiou]/.test(rest) ? 'an' : determiner} ${rest}`;
}

function clause(random: () => number, topic: Topic): string {
  const verb = random() < 0.45 ? uniformPick(random, topic.verbs) : zipfPick(random, COMMON_VERBS);
  const object = nounPhrase(random, topic);
  const phrase = random() < 0.6 ? ` ${uniformPick(random, PREPOSITIONS)} ${nounPhrase(random, topic)}` : '';
  return `${nounPhrase(random, topic)} ${verb} ${object}${phrase}`;
}

function sentence(random: () => number, topic: Topic): string {
  const body =
    random() < 0.35
      ? `${clause(random, topic)} ${uniformPick(random, CONNECTORS)} ${clause(random, topic)}`
      : clause(random, topic);
  return `${capitalize(body)}.`;
}

/** Documents of roughly `charsPerDocument` characters, in paragraphs of 3 to 6 sentences. */
export function generateDocuments(count: number, charsPerDocument: number, seed = 42): CorpusDocument[] {
  const random = seededRandom(seed);
  const documents: CorpusDocument[] = [];
  for (let i = 0; i < count; i++) {
    const topic = TOPICS[i % TOPICS.length] as Topic;
    const paragraphs: string[] = [];
    let length = 0;
    while (length < charsPerDocument) {
      const sentences: string[] = [];
      const n = 3 + Math.floor(random() * 4);
      for (let s = 0; s < n; s++) sentences.push(sentence(random, topic));
      const paragraph = sentences.join(' ');
      paragraphs.push(paragraph);
      length += paragraph.length + 2;
    }
    documents.push({
      id: `doc-${String(i).padStart(5, '0')}`,
      title: `${topic.name} note ${i}: ${capitalize(uniformPick(random, topic.nouns))} ${uniformPick(random, COMMON_NOUNS)}`,
      body: paragraphs.join('\n\n'),
    });
  }
  return documents;
}

/** What users type: natural questions mixing topic terms, common terms and stopwords; rotated across requests. */
export const SEARCH_QUERIES = [
  'how do we refund an annual subscription invoice',
  'rotate the api token after a security breach',
  'invite a new user to the enterprise workspace',
  'database replica latency during the outage',
  'contract renewal quote for a large customer',
  'escalate an urgent support ticket to the manager',
  'data retention policy and consent records for privacy review',
  'export the quarterly revenue dashboard report',
  'who approves the budget change before the deadline',
  'certificate expiry and firewall permission audit',
];
