// Apollo Client's development mode, as a frontend's dev build runs it: its "Cache data may be lost" and other
// warnings exist only there. Under Node's plain `require` condition the client reads `globalThis.__DEV__` once,
// when it loads, so this module must be imported before anything that imports @apollo/client.
(globalThis as { __DEV__?: boolean }).__DEV__ = true;
