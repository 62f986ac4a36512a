// Types of repeated-texts.cjs, the policy both stores' prepared statements share.
export declare const SEEN_CAPACITY: number;
export declare const MAX_PREPARED_TEXT: number;
export declare function repeatedTexts(): (text: string) => boolean;
