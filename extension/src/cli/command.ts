// What every natlens command is made of, and the parts they share: the common options, loading the input
// into a cluster model, and the help text built from the options (so --help and the parser cannot disagree).
import { buildIsolatedModel, notModelledProblem, type ExcludedObject } from '../engine/model/isolate';
import { readCniConfig } from '../engine/egress/workspace';
import { localeOf, messagesFor, type Messages } from '../engine/i18n';
import { withProxyMode } from '../engine/model/profile';
import { BACKENDS, isProxyMode } from '../engine/proxy/backends';
import { readFileSync } from 'node:fs';
import { UsageError, type OptionSpec, type ParsedArgs } from './args';
import { formatProblem, loadInput } from './load';
import { assumptionReason } from '../engine/model/assumptions';

export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The whole of standard input, for a FILE given as `-` (default: the process's). */
  readonly stdin?: () => string;
  /** The environment the language comes from without --lang (default: the process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One natlens command: a module under commands/ and one entry in commands/index.ts. */
export interface Command {
  readonly name: string;
  /** The synopsis lines, for a command whose arguments are not `[options] FILE...` (node's subcommands). */
  readonly synopsis?: readonly string[];
  /** One line in `natlens --help`. */
  readonly summary: string;
  /** `natlens <command> --help`: what the command does, after its synopsis. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** The exit status: 0 success, 1 command-specific (check: an error-level finding), 2 unusable input; a promise for one that talks to a cluster. */
  run(args: ParsedArgs, io: CliIO): number | Promise<number>;
}

export const CLUSTER: OptionSpec = { name: 'cluster', value: 'PROFILE', help: 'cluster profile (YAML or JSON): node, addresses, kube-proxy settings' };
export const MODE: OptionSpec = { name: 'mode', value: 'iptables|nftables|ipvs', help: "the kube-proxy back end (default: the profile's proxyMode)" };
export const NODE: OptionSpec = { name: 'node', value: 'NAME', help: "generate for this node of the profile (default: the profile's nodeName)" };
export const LANG: OptionSpec = { name: 'lang', value: 'en|de', help: 'the language of the text (default: from LC_ALL, LC_MESSAGES or LANG; de* is German, anything else English)' };
export const VERBOSE: OptionSpec = { name: 'verbose', help: 'also print informational messages (ignored kinds, assumptions)' };

export function synopsis(command: Command): string {
  if (command.synopsis) return command.synopsis.join('\n  ');
  const options = command.options.map(o => {
    const text = o.value === undefined ? `--${o.name}` : `--${o.name} ${o.value}`;
    return o.required ? text : `[${text}]`;
  });
  return ['natlens', command.name, ...options, 'FILE...'].join(' ');
}

export const FILES_HELP = 'FILE... are YAML or JSON manifests; a directory means the .yaml, .yml and .json files under it\n(recursively, sorted); - reads standard input.';

export function commandHelp(command: Command): string {
  const width = Math.max(...command.options.map(o => (o.value === undefined ? o.name.length + 2 : o.name.length + 3 + o.value.length)));
  const options = command.options.map(o => `  ${(o.value === undefined ? `--${o.name}` : `--${o.name} ${o.value}`).padEnd(width)}  ${o.help}`);
  return `Usage: ${synopsis(command)}\n\n${command.description}\n\nOptions:\n${options.join('\n')}\n\n${FILES_HELP}\n`;
}

/**
 * The messages of --lang, else of the locale environment: the first of LC_ALL, LC_MESSAGES and LANG that
 * is set and not empty decides, as POSIX setlocale does for LC_MESSAGES.
 */
export function messagesOf(args: ParsedArgs, io: CliIO): Messages {
  const lang = args.flags.get('lang');
  if (lang !== undefined && lang !== 'en' && lang !== 'de') throw new UsageError('--lang is en or de');
  if (typeof lang === 'string') return messagesFor(lang);
  const env = io.env ?? process.env;
  return messagesFor(localeOf([env.LC_ALL, env.LC_MESSAGES, env.LANG].find(v => v !== undefined && v !== '')));
}

/** The files and the profile of a command line, with --mode applied to the profile. */
export function readInput(args: ParsedArgs, command: string, io: CliIO, options: { allowNoFiles?: boolean } = {}) {
  if (args.positional.length === 0 && !options.allowNoFiles) throw new UsageError(`${command}: give at least one manifest FILE`);
  const mode = args.flags.get('mode');
  if (mode !== undefined && (typeof mode !== 'string' || !isProxyMode(mode))) throw new UsageError(`--mode is ${Object.keys(BACKENDS).join(', ').replace(/, (?=[^,]*$)/, ' or ')}`);
  const input = loadInput(args.positional, args.flags.get('cluster') as string | undefined, io.stdin ?? (() => readFileSync(0, 'utf8')));
  return { ...input, profile: mode ? withProxyMode(input.profile, mode) : input.profile };
}

/**
 * The cluster model of the input, built so that an object it cannot take is left out, not the run
 * (model/isolate.ts): each such object is a located error on standard error, or handed to `excluded`.
 * --verbose lists what it assumed.
 */
export function buildModel(input: ReturnType<typeof readInput>, args: ParsedArgs, io: CliIO, excluded?: (e: ExcludedObject) => void) {
  const built = buildIsolatedModel(input.files.flatMap(f => f.objects), input.profile, { cni: readCniConfig(input.files) });
  const model = built.model;
  for (const e of built.excluded) {
    if (excluded) excluded(e);
    else io.err(formatProblem(e.obj.fileName, notModelledProblem(e)) + '\n');
  }
  for (const l of model.limits ?? []) {
    io.err(formatProblem(l.obj.fileName, { code: 'limit', severity: 'warning', message: l.message, range: l.obj.rangeOf(l.path) ?? l.obj.range }) + '\n');
  }
  if (args.flags.has('verbose')) for (const a of model.assumptions) io.err(`assumption: ${a.subject} ${a.field} = ${a.value} (${assumptionReason(a, messagesOf(args, io))})\n`);
  return model;
}

/** Loads the files and the profile, prints their problems; null when an error makes the input unusable. */
export function loadModel(args: ParsedArgs, command: string, io: CliIO) {
  const input = readInput(args, command, io);
  const verbose = args.flags.has('verbose');
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info' || verbose) io.err(formatProblem(file, problem, messagesOf(args, io)) + '\n');
  }
  if (errors > 0) return null;
  const nodeName = args.flags.get('node') as string | undefined;
  const model = buildModel(input, args, io);
  // the model's nodes: the profile's, or the Node objects of the input
  if (nodeName !== undefined && !model.profile.nodes.some(n => n.name === nodeName)) {
    throw new UsageError(`--node ${nodeName}: not in the profile (nodes: ${model.profile.nodes.map(n => n.name).join(', ')})`);
  }
  return { model, nodeName, files: input.files };
}
