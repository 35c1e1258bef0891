/** Minimal strict argument parser for the CLI: `--flag value` and boolean `--flag`. */
import { AttestationError } from '../errors.js';

export interface ParsedArgs {
  readonly command: string | undefined;
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

export function parseArgs(argv: readonly string[], valueOptions: readonly string[], flagOptions: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : undefined;
    if (name !== undefined && valueOptions.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : rest[++i];
      if (v === undefined) throw usage(`--${name} needs a value`);
      values.set(name, v);
    } else if (name !== undefined && flagOptions.includes(name) && eq < 0) {
      flags.add(name);
    } else {
      throw usage(`unknown argument ${a}`);
    }
  }
  return { command, values, flags };
}

export function usage(message: string): AttestationError {
  return new AttestationError('InvalidArgument', message, { check: 'cli.usage' });
}
