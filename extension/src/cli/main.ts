// natlens: the NAT Lens engine on the command line. Dispatches to the command table (commands/index.ts);
// help, version and the exit statuses are the same for every command.
import { parseArgs, UsageError } from './args';
import { commandHelp, FILES_HELP, synopsis, type CliIO } from './command';
import { COMMANDS } from './commands';
import { InputError } from './load';
import { VERSION } from './version';

export type { CliIO } from './command';

/** `natlens --help`: the synopsis of every command (the README's CLI synopsis is this block), then a line each. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map(c => c.name.length));
  return `Usage:
${COMMANDS.map(c => `  ${synopsis(c)}`).join('\n')}
  natlens COMMAND --help
  natlens --version

Commands:
${COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${FILES_HELP}

Exit status: 0 on success (check: 1 when an error-level finding exists), 2 for unusable input or usage errors,
3 for an internal error of natlens.
`;
}

const isHelp = (a: string) => a === '--help' || a === '-h';

const processIO: CliIO = { out: s => void process.stdout.write(s), err: s => void process.stderr.write(s) };

function dispatch(argv: readonly string[], io: CliIO): number | Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) { io.out(usage()); return 2; }
  if (isHelp(name)) { io.out(usage()); return 0; }
  if (name === '--version') { io.out(`natlens ${VERSION}\n`); return 0; }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS.find(c => c.name === rest[0]);
    if (rest[0] !== undefined && !topic) throw new UsageError(`unknown command "${rest[0]}"`);
    io.out(topic ? commandHelp(topic) : usage());
    return 0;
  }
  const command = COMMANDS.find(c => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some(isHelp)) { io.out(commandHelp(command)); return 0; }
  const args = parseArgs(rest, command.options);
  for (const o of command.options) if (o.required && !args.flags.has(o.name)) throw new UsageError(`${command.name}: --${o.name} is required`);
  return command.run(args, io);
}

/** Runs a command line; a command that talks to a cluster (snapshot) answers with a promise. */
export function run(argv: readonly string[], io: CliIO = processIO): number | Promise<number> {
  try {
    const code = dispatch(argv, io);
    return typeof code === 'number' ? code : code.catch(e => failed(e, io));
  } catch (e) {
    return failed(e, io);
  }
}

/** run() for the commands that answer at once (every one that reads only files). */
export function main(argv: readonly string[], io: CliIO = processIO): number {
  const code = run(argv, io);
  return typeof code === 'number' ? code : failed(new Error(`natlens ${argv[0]} answers asynchronously; call run()`), io);
}

function failed(e: unknown, io: CliIO): number {
  if (e instanceof UsageError || e instanceof InputError) {
    io.err(`natlens: ${e.message}\n${e instanceof UsageError ? 'Run "natlens help" for usage.\n' : ''}`);
    return 2;
  }
  // a bug of natlens, not of the input: one line to report, no stack trace
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  io.err(`natlens: internal error: ${message}\n`);
  return 3;
}
