// Short English stopword list: words too common to say what a sentence is about, ignored when scoring.

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers herself him himself his how i if in into is it its itself just me more most my myself no ' +
    'nor not now of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up very ' +
    'was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    "may might must shall us let's it's don't doesn't didn't isn't aren't wasn't weren't won't can't cannot " +
    "i'm i've i'd i'll you're you've we're we've they're they've he's she's that's there's what's"
  ).split(' '),
);

export function isStopword(token: string): boolean {
  return STOPWORDS.has(token);
}
