// The one way a benchmark takes options: `--name=value` flags after `npm run bench:<name> --`, each declared
// with its default and a line of help, so `--help` lists them and an unknown or malformed flag stops the run
// before any server starts. A boolean flag is `--name` (or `--name=false`).

export interface OptionSpec<T extends string | number | boolean> {
  default: T;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec<string | number | boolean>>;

export type Options<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['default'] extends boolean
    ? boolean
    : S[K]['default'] extends number
      ? number
      : string;
};

function usage(command: string, specs: OptionSpecs): string {
  const lines = Object.entries(specs).map(([name, spec]) => {
    const flag = typeof spec.default === 'boolean' ? `--${name}` : `--${name}=${String(spec.default)}`;
    return `  ${flag.padEnd(52)} ${spec.help}`;
  });
  return [`usage: ${command} [-- flags]`, '', ...lines].join('\n');
}

function parseValue(
  name: string,
  raw: string,
  fallback: string | number | boolean,
): string | number | boolean {
  if (typeof fallback === 'boolean') {
    if (raw === 'true' || raw === '') return true;
    if (raw === 'false') return false;
    throw new Error(`--${name} is a switch: give --${name} or --${name}=false`);
  }
  if (typeof fallback === 'number') {
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < 0) {
      throw new Error(`--${name} expects a non-negative number, got "${raw}"`);
    }
    return value;
  }
  return raw;
}

/** Reads `argv` against `specs`; prints the usage and exits on --help. */
export function parseOptions<S extends OptionSpecs>(
  command: string,
  specs: S,
  argv: readonly string[] = process.argv.slice(2),
): Options<S> {
  const values: Record<string, string | number | boolean> = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, spec.default]),
  );
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage(command, specs)}\n`);
      process.exit(0);
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    const spec = match?.[1] === undefined ? undefined : specs[match[1]];
    if (!match?.[1] || !spec) throw new Error(`unknown option "${arg}"\n${usage(command, specs)}`);
    if (match[2] === undefined && typeof spec.default !== 'boolean') {
      throw new Error(`--${match[1]} needs a value: --${match[1]}=${String(spec.default)}`);
    }
    values[match[1]] = parseValue(match[1], match[2] ?? '', spec.default);
  }
  return values as Options<S>;
}

/** The command that reproduces this run: `command`, then the flags whose values differ from their defaults. */
export function commandLine<S extends OptionSpecs>(command: string, specs: S, options: Options<S>): string {
  const flags = Object.entries(specs)
    .filter(([name, spec]) => options[name] !== spec.default)
    .map(([name]) => (options[name] === true ? `--${name}` : `--${name}=${String(options[name])}`));
  return flags.length > 0 ? `${command} -- ${flags.join(' ')}` : command;
}
