// The only place the server reads configuration: the request and operation bounds and whether introspection is
// open. Everything under http/ and graphql/ takes these values as arguments, so a change in how config is shaped
// lands here and nowhere else.
import type { Config } from './config';

export interface ServerSettings {
  /** Largest HTTP body and graphql-ws message, in bytes. */
  maxRequestBytes: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  maxQueryAliases: number;
  /** Schema introspection is open outside production only. */
  introspection: boolean;
}

export function serverSettings(config: Config): ServerSettings {
  return {
    maxRequestBytes: config.server.maxRequestBytes,
    maxQueryDepth: config.server.maxQueryDepth,
    maxQueryCost: config.server.maxQueryCost,
    maxQueryAliases: config.server.maxQueryAliases,
    introspection: !config.production,
  };
}
