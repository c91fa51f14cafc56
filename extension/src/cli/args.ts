/** The CLI's flag parser: --name value, --name=value, boolean flags, and positional files. */
export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  /** Every value of a `repeated` option, in order (`flags` keeps the last). */
  readonly lists: Map<string, string[]>;
  readonly positional: string[];
}

/** One option of a command: `--name VALUE` when it has a value placeholder, a boolean flag otherwise. */
export interface OptionSpec {
  readonly name: string;
  readonly value?: string;
  readonly required?: boolean;
  /** May be given more than once (`--local A --local B`). */
  readonly repeated?: boolean;
  /** A one-letter form, `-o DIR` for `--output DIR`. */
  readonly short?: string;
  readonly help: string;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    const short = /^-([a-zA-Z])$/.exec(a) ? options.find(o => o.short === a[1]) : undefined;
    if (!a.startsWith('--') && !short) { positional.push(a); continue; }
    const eq = short ? -1 : a.indexOf('=');
    const name = short ? short.name : a.slice(2, eq < 0 ? undefined : eq);
    const option = options.find(o => o.name === name);
    if (!option) throw new UsageError(`unknown option --${name}`);
    if (option.value === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      if (option.repeated) lists.set(name, [...(lists.get(name) ?? []), value]);
    }
  }
  return { flags, lists, positional };
}
