// Versioned prompt files (`<name>.v<N>.md`): a new version is a new file. The version travels into
// AIMeta.promptVersion, the cache key and the logs. PROMPT_VERSIONS (`summarize=v1,answer=v2`) pins one;
// otherwise the highest version of each prompt serves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors/config-error';

export interface PromptTemplate {
  name: string;
  /** For example `summarize.v1`. */
  version: string;
  maxTokens: number;
  /**
   * Front matter `maxTokensPerWord`: the reply may take this many tokens per word of the `maxWords` variable
   * where that is more than maxTokens (about 1.3 per English word, more in other languages), so a long summary
   * asked for is not cut off by a bound set for short ones.
   */
  maxTokensPerWord?: number;
  system: string;
  user: string;
}

export interface RenderedPrompt {
  version: string;
  maxTokens: number;
  system: string;
  user: string;
}

const PROMPTS_DIR = __dirname;

export function parsePromptFile(name: string, version: string, source: string): PromptTemplate {
  const front = /^---\n([\s\S]*?)\n---\n/.exec(source);
  const settings = new Map(
    (front?.[1] ?? '')
      .split('\n')
      .map((line) => line.split(':').map((part) => part.trim()))
      .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== ''),
  );
  const body = front ? source.slice(front[0].length) : source;
  const system = /# system\n([\s\S]*?)(?=\n# user\n)/.exec(body)?.[1]?.trim();
  const user = /# user\n([\s\S]*)$/.exec(body)?.[1]?.trim();
  if (!system || !user) throw new Error(`prompt ${version} needs a "# system" and a "# user" section`);
  const perWord = settings.get('maxTokensPerWord');
  return {
    name,
    version,
    maxTokens: Number(settings.get('maxTokens') ?? 512),
    ...(perWord === undefined ? {} : { maxTokensPerWord: Number(perWord) }),
    system,
    user,
  };
}

const PIN = /^([a-z-]+)=(v\d+)$/;

/**
 * `summarize=v1,answer=v2` as a map. A pin that does not read so is refused, not skipped: an operator rolling a
 * bad prompt back (`answer:v1`, `answer=`, `;` between pins) would otherwise keep serving the newest version.
 */
function parsePins(pins: string | undefined): Map<string, string> {
  const pinned = new Map<string, string>();
  for (const entry of (pins ?? '').split(',')) {
    const pin = entry.replace(/\s+/g, '');
    if (pin === '') continue;
    const match = PIN.exec(pin);
    if (!match?.[1] || !match[2])
      throw new ConfigError(
        `PROMPT_VERSIONS expects name=vN pins separated by commas (e.g. summarize=v1,answer=v2); got "${entry.trim()}"`,
      );
    if (pinned.has(match[1])) throw new ConfigError(`PROMPT_VERSIONS pins ${match[1]} twice`);
    pinned.set(match[1], match[2]);
  }
  return pinned;
}

export class PromptLibrary {
  private readonly active = new Map<string, PromptTemplate>();

  constructor(pins: string | undefined, dir = PROMPTS_DIR) {
    const pinned = parsePins(pins);
    const files = readdirSync(dir).flatMap((file) => {
      const match = /^([a-z-]+)\.v(\d+)\.md$/.exec(file);
      return match?.[1] && match[2] ? [{ file, name: match[1], number: Number(match[2]) }] : [];
    });
    for (const name of pinned.keys()) {
      if (!files.some((f) => f.name === name))
        throw new ConfigError(`PROMPT_VERSIONS pins ${name}, but no prompt of that name exists`);
    }
    for (const name of new Set(files.map((f) => f.name))) {
      const versions = files.filter((f) => f.name === name).sort((a, b) => b.number - a.number);
      const wanted = pinned.get(name);
      const chosen = wanted ? versions.find((v) => `v${v.number}` === wanted) : versions[0];
      if (!chosen)
        throw new ConfigError(`PROMPT_VERSIONS pins ${name}=${wanted}, but no ${name}.${wanted}.md exists`);
      const version = `${name}.v${chosen.number}`;
      this.active.set(name, parsePromptFile(name, version, readFileSync(join(dir, chosen.file), 'utf8')));
    }
  }

  /** The active version's system prompt as written: what an output rail checks a reply does not echo. */
  instructionsOf(name: string): string {
    const template = this.active.get(name);
    if (!template) throw new Error(`no prompt named ${name}`);
    return template.system;
  }

  render(name: string, variables: Record<string, string | number>): RenderedPrompt {
    const template = this.active.get(name);
    if (!template) throw new Error(`no prompt named ${name}`);
    // One pass over the template: a value that itself contains {{...}} is never expanded again.
    const fill = (text: string) =>
      text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
        key in variables ? String(variables[key]) : whole,
      );
    const maxWords = variables['maxWords'];
    const perWord = template.maxTokensPerWord;
    const maxTokens =
      perWord !== undefined && typeof maxWords === 'number' && Number.isFinite(maxWords)
        ? Math.max(template.maxTokens, Math.ceil(maxWords * perWord))
        : template.maxTokens;
    return {
      version: template.version,
      maxTokens,
      system: fill(template.system),
      user: fill(template.user),
    };
  }

  version(name: string): string {
    const template = this.active.get(name);
    if (!template) throw new Error(`no prompt named ${name}`);
    return template.version;
  }
}
