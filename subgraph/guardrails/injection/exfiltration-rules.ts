// TOOL_OR_EXFILTRATION: text shaped like a tool call, or a way to carry data out of the conversation: a
// markdown image or link whose URL has a slot for the model to fill with what only it holds (the client fetches
// the image and the query leaks), or an order to send conversation contents or secrets to an address. A URL
// template that documents an API (`?customer_id={customer_id}`, `?q=<term>`) or a fixed query (a badge's
// `?branch=main`) carries nothing out, and a credential sent to authenticate (`-H "Authorization: Bearer
// $API_TOKEN"`) is the credential's use, not its theft.
import { any, codeRule, END, rule, START } from './rule';
import { imageParamMatches, urlParamMatches } from './url-query';

const URL = 'https?://[^\\s)\\]"\'<>]+';
// A query value that is a slot for the model to fill: {data}, <secret>, $VAR, [INFO], %7B…
const SLOT = '(?:\\{[^}\\s]{0,40}\\}|<[^>\\s]{1,40}>|\\$\\{?[a-z_]+|\\[[a-z_ -]{1,40}\\]|%7b|%3c)';
// What a slot names when it asks for what the model holds: the conversation or part of it, its instructions,
// the user's own data, or a secret.
const HELD_DATA = `(?:conversation|chat|history|messages?|dialog(?:ue)?|transcript|context|prompt|instructions|memory|secrets?|passwords?|credentials?|personal|private|pii|users?(?:'s)?[_ -]?(?:e-?mail|mail|name|address|phone|data|info(?:rmation)?|messages?|questions?|input|details|location|history))`;
// A query parameter's value that is a slot naming held data; in an image URL, which the client fetches
// unasked, any slot, or a value left empty for the model to fill. The URLs and their parameters are read in
// code (url-query.ts), once each: one pattern for the whole would backtrack over runs of URLs.
const DATA_SLOT = new RegExp(`(?=[^\\s&)]{0,44}?${HELD_DATA})${SLOT}`, 'uy');
const IMAGE_SLOT = new RegExp(`(?:${SLOT}|(?=[)&\\s]))`, 'uy');
const SECRETS_EN = any(
  '(?:the |this |our |your |entire |whole |full )*(?:conversation|chat(?: history| log)?|dialog(?:ue)?|previous messages|message history)',
  "(?:the )?users?'?s? (?:data|messages?|emails?|e-mail addresses?|passwords?|credentials|information|details|files|documents|history|questions?|name|address|phone number)",
  '(?:the |your |all |any )*(?:system prompt|instructions|api[ _-]?keys?|access tokens?|tokens|passwords?|credentials|secrets?|session(?: id| token)?|cookies?|private keys?|personal (?:data|information)|credit card(?: numbers?)?)',
  '(?:everything|all) (?:above|you know|in (?:this|the) (?:conversation|chat|context))',
);
const SEND_EN = any(
  'send',
  'post',
  'forward',
  'upload',
  'submit',
  'transmit',
  'e-?mail',
  'leak',
  'exfiltrate',
  'copy',
  'append',
  'encode',
  'embed',
  'include',
  'put',
  'add',
);
const SEND_DE = any(
  'sende',
  'schicke?',
  'übermittle',
  'leite',
  'lade',
  'übertrage',
  'poste',
  'kopiere',
  'hänge',
);

export const EXFILTRATION_RULES = [
  codeRule(
    'markdown-image-query',
    'TOOL_OR_EXFILTRATION',
    (text) => imageParamMatches(text, IMAGE_SLOT),
    { question: 0.55, document: 0.65 },
    false,
  ),
  codeRule('url-slot', 'TOOL_OR_EXFILTRATION', (text) => urlParamMatches(text, DATA_SLOT), 0.75, false),
  rule(
    'send-secrets',
    'TOOL_OR_EXFILTRATION',
    `${START}(?<!(?:not|never|n't) )${SEND_EN} ${SECRETS_EN}[^.!?\\n]{0,60}?(?:to|into|in|at|via|using) (?:the |this |that |an? )?(?:url|link|endpoint|webhook|server|address|image|https?://|www\\.|[\\w.-]+@[\\w-]+\\.)`,
    0.85,
  ),
  rule(
    'send-to-url',
    'TOOL_OR_EXFILTRATION',
    `${START}(?<!(?:not|never|n't) )(?:${SEND_EN}|${SEND_DE})${END}[^.!?\\n]{0,80}?(?:to|an|zu|auf) ${URL}`,
    { question: 0.3, document: 0.35 },
  ),
  rule(
    'function-call-json',
    'TOOL_OR_EXFILTRATION',
    `"(?:tool_calls|function_call|tool_use|tool_call|tool_code)"\\s*:|"(?:name|tool|function|tool_name|action)"\\s*:\\s*"[^"]{1,80}"\\s*,\\s*"(?:arguments|parameters|args|input|action_input|params)"\\s*:`,
    { question: 0.6, document: 0.55 },
    false,
  ),
  rule(
    'tool-tag',
    'TOOL_OR_EXFILTRATION',
    `</?(?:tool_call|tool_use|function_call|function_calls|invoke|tool_code|tool_result|function_results)(?:\\s[^>]*)?>|${START}(?:functions|tools)\\.[a-z_]+\\(`,
    0.7,
    false,
  ),
  // Code that sends out what it reads from where secrets are kept: cookies, browser storage, key files, the
  // whole environment; or a secret-named variable placed into a URL. A variable in a header authenticates.
  rule(
    'code-exfiltration',
    'TOOL_OR_EXFILTRATION',
    `(?:curl|wget|fetch|requests\\.(?:get|post)|xmlhttprequest|sendbeacon|invoke-webrequest)[^\\n]{0,120}?(?:document\\.cookie|localstorage|sessionstorage|/etc/passwd|/etc/shadow|\\.ssh/|id_rsa|\\.aws/credentials|\\$\\((?:env|printenv)${END}|https?://[^\\s"'\`]*(?:\\$\\{?[a-z_]*(?:key|secret|token|password|credential)|process\\.env|os\\.environ))`,
    0.7,
    false,
  ),
];
