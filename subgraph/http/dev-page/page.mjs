// The development page's script: the README's worked example over HTTP and askStream over graphql-ws, with the
// pasted token. A plain ES module with no dependency but graphql-ws's browser build, which index.html loads
// before this module (it defines globalThis.graphqlWs). Every server value reaches the DOM through
// textContent, never as HTML: documents and model output are tenant content.

const { createClient } = globalThis.graphqlWs;

const TOKEN_KEY = 'ai-subgraph.development-token';
// The page is served at the GraphQL path itself, so that is where operations go.
const HTTP_URL = `${location.origin}${location.pathname}`;
const WS_URL = HTTP_URL.replace(/^http/, 'ws');

const META = 'meta { provider model promptVersion cached costUsd }';
const UNAVAILABLE = '... on AIUnavailable { reason message retryAfterSeconds }';
const HIT = 'documentId chunkId title snippet score';
const ASK_RESULT = `__typename
  ... on Answer { text citations { documentId chunkId title } ${META} }
  ... on DegradedAnswer { reason passages { documentId chunkId title } ${META} }
  ${UNAVAILABLE}`;

const OPERATIONS = {
  ingestDocument: `mutation Ingest($input: IngestDocumentInput!) {
    ingestDocument(input: $input) { __typename documentId chunks embedded }
  }`,
  search: `query Search($input: SearchInput!) {
    search(input: $input) {
      __typename
      ... on SearchResults { hits { ${HIT} } ${META} }
      ... on DegradedSearchResults { hits { ${HIT} } reason ${META} }
      ${UNAVAILABLE}
    }
  }`,
  ask: `query Ask($input: AskInput!) { ask(input: $input) { ${ASK_RESULT} } }`,
  summarize: `query Summarize($input: SummarizeInput!) {
    summarize(input: $input) {
      __typename
      ... on Summary { text ${META} }
      ... on DegradedSummary { text reason ${META} }
      ${UNAVAILABLE}
    }
  }`,
  askStream: `subscription AskStream($input: AskInput!) {
    askStream(input: $input) {
      __typename
      ... on AnswerDelta { text index }
      ... on StreamNotice { reason message restart }
      ... on AskCompleted { result { ${ASK_RESULT} } }
    }
  }`,
};

const byId = (id) => document.getElementById(id);
const field = (form, name) => form.elements.namedItem(name).value;

// --- The token ---------------------------------------------------------------------------------------------

const readToken = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

function authorization() {
  const token = readToken();
  return token ? `Bearer ${token}` : undefined;
}

/** What the token says about itself, read without verifying it (the server verifies). */
function describeToken(token) {
  if (!token) return 'No token yet: the AI fields answer UNAUTHENTICATED without one.';
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const expires = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    const parts = [
      `tenant ${claims.tenant_id ?? '(no tenant_id claim)'}`,
      `scopes ${claims.scope || '(none)'}`,
      expires
        ? `${expires < new Date() ? 'EXPIRED at' : 'expires'} ${expires.toLocaleString()}`
        : 'no expiry',
    ];
    return `Token in use: ${parts.join(' · ')}.`;
  } catch {
    return 'Token in use, though it does not read as a JWT: the server will say what it makes of it.';
  }
}

function showToken() {
  const token = readToken();
  byId('token-input').value = token;
  byId('token-status').textContent = describeToken(token);
}

byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  // A pasted header value works too.
  const token = field(event.currentTarget, 'token')
    .trim()
    .replace(/^Bearer\s+/i, '');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  showToken();
});

byId('token-forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showToken();
});

// --- Results -----------------------------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The union member (or the error) on one line, and the whole response as JSON below it. */
function showResult(container, summary, body) {
  container.replaceChildren(
    element('p', 'member', summary),
    element('pre', 'json', JSON.stringify(body, null, 2)),
  );
}

function errorSummary(error) {
  const code = error?.extensions?.code;
  return `GraphQL error${code ? ` ${code}` : ''}: ${error?.message ?? 'unknown'}`;
}

async function post(query, variables) {
  const headers = { 'content-type': 'application/json' };
  const auth = authorization();
  if (auth) headers.authorization = auth;
  const response = await fetch(HTTP_URL, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: { text } };
  }
}

/** Runs one operation from a form and shows what came back; `name` is its root field. */
function wireQuery(name, variablesOf) {
  const form = byId(`${name === 'ingestDocument' ? 'ingest' : name}-form`);
  const container = byId(`${name === 'ingestDocument' ? 'ingest' : name}-result`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    container.replaceChildren(element('p', 'pending', 'Sending…'));
    try {
      const { status, body } = await post(OPERATIONS[name], variablesOf(form));
      const data = body?.data?.[name];
      const summary = body?.errors?.length
        ? errorSummary(body.errors[0])
        : (data?.__typename ?? (data ? `${name}: done` : `HTTP ${status}`));
      showResult(container, summary, body);
    } catch (error) {
      showResult(container, `Request failed: ${error}`, {});
    }
  });
}

const optionalNumber = (value) => (value === '' ? undefined : Number(value));

wireQuery('ingestDocument', (form) => ({
  input: { id: field(form, 'id'), title: field(form, 'title'), body: field(form, 'body') },
}));
wireQuery('search', (form) => ({ input: { query: field(form, 'query') } }));
wireQuery('ask', (form) => ({ input: { question: field(form, 'question') } }));
wireQuery('summarize', (form) => ({
  input: {
    documentId: field(form, 'documentId') || undefined,
    maxWords: optionalNumber(field(form, 'maxWords')),
  },
}));

// --- askStream ---------------------------------------------------------------------------------------------

let stopStream;

function setStreaming(streaming) {
  byId('stream-start').disabled = streaming;
  byId('stream-stop').disabled = !streaming;
}

function streamEvent(text) {
  const list = byId('stream-events');
  list.append(element('li', undefined, text));
  list.scrollTop = list.scrollHeight;
}

function onStreamEvent(event) {
  switch (event?.__typename) {
    case 'AnswerDelta':
      byId('stream-text').append(event.text);
      streamEvent(`AnswerDelta #${event.index}`);
      break;
    case 'StreamNotice':
      // restart: the text so far came from a path that failed; the fallback starts the answer again.
      if (event.restart) byId('stream-text').replaceChildren();
      streamEvent(`StreamNotice ${event.reason}${event.restart ? ' (restart)' : ''}: ${event.message}`);
      break;
    case 'AskCompleted':
      streamEvent(`AskCompleted → ${event.result?.__typename}`);
      showResult(byId('stream-result'), `AskCompleted → ${event.result?.__typename}`, event.result);
      break;
    default:
      streamEvent(`Unexpected event: ${JSON.stringify(event)}`);
  }
}

byId('stream-form').addEventListener('submit', (event) => {
  event.preventDefault();
  stopStream?.();
  byId('stream-text').replaceChildren();
  byId('stream-events').replaceChildren();
  byId('stream-result').replaceChildren();
  const client = createClient({
    url: WS_URL,
    // Read when the socket opens, so a token pasted since the last stream is the one sent.
    connectionParams: () => {
      const auth = authorization();
      return auth ? { authorization: auth } : {};
    },
    retryAttempts: 0,
  });
  let finished = false;
  // Once only: an unsubscribe is followed by graphql-ws calling complete() as well.
  const finish = (line) => {
    if (finished) return;
    finished = true;
    streamEvent(line);
    setStreaming(false);
    stopStream = undefined;
    void client.dispose();
  };
  const unsubscribe = client.subscribe(
    {
      query: OPERATIONS.askStream,
      variables: { input: { question: field(event.currentTarget, 'question') } },
    },
    {
      next: (result) => {
        if (result.errors?.length) streamEvent(errorSummary(result.errors[0]));
        if (result.data) onStreamEvent(result.data.askStream);
      },
      error: (error) => {
        const closed =
          error instanceof CloseEvent ? `socket closed ${error.code} ${error.reason}` : undefined;
        const errors = Array.isArray(error) ? error.map(errorSummary).join('; ') : undefined;
        finish(`Stream failed: ${closed ?? errors ?? String(error)}`);
      },
      complete: () => finish('Stream complete.'),
    },
  );
  stopStream = () => {
    unsubscribe();
    finish('Unsubscribed.');
  };
  setStreaming(true);
});

byId('stream-stop').addEventListener('click', () => stopStream?.());

byId('endpoint').textContent = HTTP_URL;
showToken();
