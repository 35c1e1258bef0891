/**
 * The one argument parser of every command line in the package (`tee-attest`
 * / `dcap` subcommands and `tee-attest-sim`). Strict by design:
 *
 *   - options are long only: `--name VALUE`, `--name=VALUE`, or a boolean `--name`;
 *     `-h` is the only short form (same as `--help`);
 *   - an option marked `repeatable` (pins such as `--mrtd`) may be given several
 *     times: every value is in `lists`, in order;
 *   - an unknown option, an option given twice, a missing value, a value on a
 *     boolean flag, or an unexpected positional argument is a usage error;
 *   - a value may not itself look like an option (`--quote --json` is an error,
 *     not a file named "--json"); after `--` everything is positional;
 *   - `--help` and `--version` are understood by every command.
 *
 * Usage errors are AttestationError('InvalidArgument') with evidence.check
 * `cli.usage` and, where one is to blame, evidence.field = the flag.
 */
import { AttestationError, attestationError } from '../errors.js';

export interface OptionSpec {
  /** Long name without the leading dashes. */
  readonly name: string;
  /** Placeholder of the value (e.g. FILE); absent for a boolean flag. */
  readonly value?: string;
  readonly help: string;
  /** May be given more than once (values in ParsedCommand.lists). */
  readonly repeatable?: boolean;
}

export interface CommandSpec {
  /** Command words after the program name: 'verify', 'collateral fetch', 'up'. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Synopsis after the program and command name (`--quote FILE [--json]`). */
  readonly synopsis: string;
  readonly options: readonly OptionSpec[];
  /** Positional arguments allowed (default none). */
  readonly positionals?: { readonly name: string; readonly min: number; readonly max: number };
  /** Extra help text (output, exit codes). */
  readonly details?: string;
}

export interface ParsedCommand {
  /** The value of each option given (the first, for a repeatable one). */
  readonly values: ReadonlyMap<string, string>;
  /** Every value of each repeatable option given, in order. */
  readonly lists?: ReadonlyMap<string, readonly string[]>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
  /** `--help` / `-h` was given (nothing else was checked beyond the option names). */
  readonly help: boolean;
  /** `--version` was given. */
  readonly version: boolean;
}

export function usage(message: string, field?: string): AttestationError {
  return attestationError('InvalidArgument', message, { check: 'cli.usage', ...(field === undefined ? {} : { field }) });
}

/** Parses `argv` (the words after the command name) against `spec`. Throws a usage error. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const byName = new Map(spec.options.map((o) => [o.name, o] as const));
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let version = false;
  const seen = new Set<string>();
  const where = spec.name === '' ? '' : `${spec.name}: `;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (a === '--version') {
      version = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw usage(`${where}unknown option ${a} (options are long: --name)`, a);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const o = byName.get(name);
    if (o === undefined) throw usage(`${where}unknown option --${name}`, `--${name}`);
    if (seen.has(name) && o.repeatable !== true) throw usage(`${where}--${name} is given more than once`, `--${name}`);
    seen.add(name);
    if (o.value === undefined) {
      if (eq > 0) throw usage(`${where}--${name} takes no value`, `--${name}`);
      flags.add(name);
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw usage(`${where}--${name} needs a value (${o.value})`, `--${name}`);
    if (!values.has(name)) values.set(name, v);
    if (o.repeatable === true) lists.set(name, [...(lists.get(name) ?? []), v]);
  }
  if (!help && !version) {
    const p = spec.positionals;
    if (p === undefined && positionals.length > 0) throw usage(`${where}unexpected argument ${JSON.stringify(positionals[0])}`);
    if (p !== undefined && positionals.length < p.min) throw usage(`${where}missing ${p.name}`);
    if (p !== undefined && positionals.length > p.max) throw usage(`${where}too many arguments (expected ${p.name})`);
  }
  return { values, lists, flags, positionals, help, version };
}

/** A required option's value (usage error naming the flag when absent). */
export function required(args: ParsedCommand, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw usage(`--${name} is required`, `--${name}`);
  return v;
}

/** Every value of a repeatable option (empty when absent). */
export function allValues(args: ParsedCommand, name: string): readonly string[] {
  return args.lists?.get(name) ?? (args.values.has(name) ? [args.values.get(name)!] : []);
}

/** `--name` is one of `choices` (or absent). */
export function choice<T extends string>(args: ParsedCommand, name: string, choices: readonly T[]): T | undefined {
  const v = args.values.get(name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw usage(`--${name} is ${choices.join(' | ')} (got ${JSON.stringify(v)})`, `--${name}`);
  return v as T;
}

/** Help text of one command: synopsis, options, details. */
export function formatHelp(program: string, spec: CommandSpec): string {
  const lines = [`usage: ${program}${spec.name === '' ? '' : ` ${spec.name}`} ${spec.synopsis}`.trimEnd(), '', spec.summary, ''];
  const all: OptionSpec[] = [...spec.options, { name: 'help', help: 'show this help' }, { name: 'version', help: 'print the version' }];
  const left = all.map((o) => `  --${o.name}${o.value === undefined ? '' : ` ${o.value}`}${o.repeatable === true ? ' ...' : ''}`);
  const width = Math.min(32, Math.max(...left.map((l) => l.length)) + 2);
  lines.push('options:');
  all.forEach((o, i) => {
    const l = left[i]!;
    lines.push(l.length >= width ? `${l}\n${' '.repeat(width)}${o.help}` : `${l.padEnd(width)}${o.help}`);
  });
  if (spec.details !== undefined) lines.push('', spec.details.trimEnd());
  return lines.join('\n') + '\n';
}

export interface ParsedArgs {
  readonly command: string | undefined;
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

/**
 * The former interface (command word first, then options): same strict rules
 * as `parseCommand` (repeated and unknown options are usage errors).
 */
export function parseArgs(argv: readonly string[], valueOptions: readonly string[], flagOptions: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const spec: CommandSpec = {
    name: command ?? '',
    summary: '',
    synopsis: '',
    options: [...valueOptions.map((name) => ({ name, value: 'VALUE', help: '' })), ...flagOptions.map((name) => ({ name, help: '' }))],
  };
  const p = parseCommand(spec, rest);
  if (p.help) throw usage('--help is handled by the command dispatcher', '--help');
  if (p.version) throw usage('--version is handled by the command dispatcher', '--version');
  return { command, values: new Map(p.values), flags: new Set(p.flags) };
}
