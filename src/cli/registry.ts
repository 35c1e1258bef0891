/**
 * The `tee-attest` command registry. Each entry names a command and loads its
 * module only when that command runs (`tee-attest --help` loads none), so a
 * command's dependencies (HTTP client, Postgres, …) cost nothing to the
 * others. To add a command (`probe`, `attestation`, `forward`, `serve`), add
 * an entry here (or call `registerCommand` before `runCli`) whose `load`
 * returns a `CliCommand`: its spec (options, help) and its `run`.
 */
import type { CommandSpec, ParsedCommand } from './args.js';

export interface CliIo {
  /** Program name as invoked: 'tee-attest' or its alias 'dcap'. */
  readonly program: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stderr is a terminal: progress lines may be written there (never on stdout). */
  readonly stderrIsTTY: boolean;
  /** The system time in unix seconds (`--at now`). */
  readonly now: () => number;
}

export interface CliCommand {
  readonly spec: CommandSpec;
  /** Runs the parsed command; resolves with the exit code. Usage errors are thrown (exit 1). */
  run(args: ParsedCommand, io: CliIo): Promise<number>;
}

export interface CommandEntry {
  /** Command words: 'verify', or 'collateral fetch' for a subcommand of a group. */
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<CliCommand>;
}

const entries: CommandEntry[] = [
  { name: 'verify', summary: 'verify an Intel DCAP quote (SGX / TDX) against collateral', load: async () => (await import('./verify-command.js')).verifyCli },
  { name: 'inspect', summary: 'decode a quote, certificate, RA-TLS certificate, collateral, TCB Info, CRL or sidecar report', load: async () => (await import('./inspect-command.js')).inspectCli },
  { name: 'samples', summary: 'verify the bundled sample quotes offline against their manifests', load: async () => (await import('./samples-command.js')).samplesCli },
  { name: 'collateral fetch', summary: 'fetch, verify and write an offline collateral bundle', load: async () => (await import('./collateral-command.js')).collateralFetchCli },
  { name: 'collateral verify', summary: 'verify a collateral bundle file or directory (signatures, chains, CRLs, dates)', load: async () => (await import('./collateral-command.js')).collateralVerifyCli },
  { name: 'attestation', summary: "verify a TeeSQL sidecar's GET /attestation report (URL or file): quote, binding, freshness, pins", load: async () => (await import('./attestation-command.js')).attestationCli },
  { name: 'probe', summary: 'verify an RA-TLS server (HOST:PORT) before connecting: claims and certificate fingerprint, no application byte sent', load: async () => (await import('./probe-command.js')).probeCli },
  { name: 'forward', summary: 'local RA-TLS forwarder for any Postgres driver: verifies the sidecar on every connection', load: async () => (await import('./forward-command.js')).forwardCli },
];

/** Adds (or replaces) a command. */
export function registerCommand(entry: CommandEntry): void {
  const i = entries.findIndex((e) => e.name === entry.name);
  if (i >= 0) entries[i] = entry;
  else entries.push(entry);
}

export function commandEntries(): readonly CommandEntry[] {
  return entries;
}
