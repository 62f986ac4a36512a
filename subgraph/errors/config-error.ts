// A configuration value the subgraph cannot start with: main.ts prints its one-line message and exits 1.
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  static isInstance(value: unknown): value is ConfigError {
    return value instanceof Error && value.name === 'ConfigError';
  }
}
