/**
 * `tee-attest` dispatch: command lookup in the registry, the one argument
 * parser, per-command `--help`, `--version`, and the exit codes:
 *
 *   0  success (verify: verified, whatever the TCB status)
 *   1  usage error (unknown command or option, repeated option, bad value,
 *      unreadable or malformed input file named by a flag)
 *   2  the operation failed (verification error, fetch failure, sample mismatch)
 *   3  internal error (a bug: please report it)
 *
 * Under `--json`, a usage error is one JSON object on stdout:
 * `{"ok":false,"error":{"code":"InvalidArgument","kind":"usage","message":…,"evidence":…}}`.
 */
import { readFileSync } from 'node:fs';
import { isAttestationError } from '../errors.js';
import { formatHelp, parseCommand, usage } from './args.js';
import { errorJson, wantsJson } from './output.js';
import { commandEntries, type CliIo, type CommandEntry } from './registry.js';

export const EXIT = { ok: 0, usage: 1, failed: 2, internal: 3 } as const;

export function packageVersion(): string {
  // src/cli/run.ts and dist/cli/run.js both sit two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(program: string): string {
  const entries = commandEntries();
  const width = Math.max(...entries.map((e) => e.name.length)) + 4;
  return [
    `usage: ${program} <command> [options]      (${program} <command> --help for its options)`,
    '',
    'commands:',
    ...entries.map((e) => `  ${e.name.padEnd(width)}${e.summary}`),
    '',
    'Every command prints human-readable text, or one JSON object with --json.',
    'Exit codes: 0 success; 1 usage error; 2 verification or operation failed; 3 internal error.',
    `${program === 'dcap' ? 'dcap is an alias of tee-attest. ' : ''}Version: ${program} --version`,
    '',
  ].join('\n');
}

function find(argv: readonly string[]): { entry: CommandEntry; rest: readonly string[] } | { group: string; rest: readonly string[] } | undefined {
  const [a, b] = argv;
  const entries = commandEntries();
  const two = entries.find((e) => e.name === `${a} ${b}`);
  if (two !== undefined) return { entry: two, rest: argv.slice(2) };
  const one = entries.find((e) => e.name === a);
  if (one !== undefined) return { entry: one, rest: argv.slice(1) };
  if (entries.some((e) => e.name.startsWith(`${a} `))) return { group: a!, rest: argv.slice(1) };
  return undefined;
}

function groupHelp(program: string, group: string): string {
  const subs = commandEntries().filter((e) => e.name.startsWith(`${group} `));
  return [`usage: ${program} ${group} <${subs.map((e) => e.name.slice(group.length + 1)).join('|')}> [options]`, '', ...subs.map((e) => `  ${e.name.padEnd(20)}${e.summary}`), ''].join('\n');
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.stderr(topHelp(io.program));
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
    io.stdout(topHelp(io.program));
    return EXIT.ok;
  }
  if (first === '--version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const words = first === 'help' ? [...argv.slice(1), '--help'] : argv;
  const found = find(words);
  if (found === undefined) throw usage(`unknown command ${JSON.stringify(words[0])} (commands: ${[...new Set(commandEntries().map((e) => e.name.split(' ')[0]))].join(', ')})`);
  if ('group' in found) {
    const sub = found.rest[0];
    if (sub === '--help' || sub === '-h') {
      io.stdout(groupHelp(io.program, found.group));
      return EXIT.ok;
    }
    if (sub === '--version') {
      io.stdout(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    throw usage(sub === undefined || sub.startsWith('-') ? `${found.group}: missing subcommand\n${groupHelp(io.program, found.group)}` : `${found.group}: unknown subcommand ${JSON.stringify(sub)}`);
  }
  const command = await found.entry.load();
  const args = parseCommand(command.spec, found.rest);
  if (args.help) {
    io.stdout(formatHelp(io.program, command.spec));
    return EXIT.ok;
  }
  if (args.version) {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  return command.run(args, io);
}

/** Runs one command line; resolves with the exit code (never rejects). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (isAttestationError(e) && e.kind === 'usage') {
      const command = find(argv);
      const name = command === undefined ? '' : 'entry' in command ? ` ${command.entry.name}` : ` ${command.group}`;
      if (wantsJson(argv)) io.stdout(JSON.stringify({ ok: false, error: errorJson(e) }) + '\n');
      else io.stderr(`${io.program}${name}: ${errorJson(e).message}\n(${io.program}${name} --help shows the usage)\n`);
      return EXIT.usage;
    }
    io.stderr(`${io.program}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.internal;
  }
}
