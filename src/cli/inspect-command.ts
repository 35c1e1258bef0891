/**
 * `tee-attest inspect`: the options (what `inspect --help` prints). The
 * decoders load only when the command runs (inspect-run.ts).
 */
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';

const SPEC: CommandSpec = {
  name: 'inspect',
  summary: 'Decode a quote, certificate or chain, RA-TLS certificate, CRL, RA-TLS attestation, collateral JSON or bundle, TCB Info, QE Identity or sidecar report (binary, hex, base64 or PEM: detected). Nothing is verified.',
  synopsis: 'FILE [--json]',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: [{ name: 'json', help: 'one JSON object on stdout: {ok, kind, encoding, summary, decoded, error}' }],
  details: 'Exit 0: decoded; 2: not recognised or malformed; 1: usage error (e.g. unreadable FILE).',
};

export const inspectCli: CliCommand = {
  spec: SPEC,
  run: async (args, io) => (await import('./inspect-run.js')).runInspectCommand(args, io),
};
