/**
 * `tee-attest verify`: the options (what `verify --help` prints). The
 * implementation, and with it the verification stack, loads only when the
 * command runs (verify-run.ts).
 */
import type { CommandSpec } from './args.js';
import { ONLINE_OPTIONS } from './online-options.js';
import type { CliCommand } from './registry.js';
import { AT_FORMS } from './time-arg.js';

export const VERIFY_SPEC: CommandSpec = {
  name: 'verify',
  summary: 'Verify an Intel DCAP quote (SGX or TDX): signatures, PCK chain and CRLs, QE identity, TCB level.',
  synopsis: '--quote FILE (--collateral FILE|DIR | --pccs URL [--cache DIR]) [--at TIME] [--root FILE] [--json]',
  options: [
    { name: 'quote', value: 'FILE', help: 'the quote: binary, or hex text (required)' },
    { name: 'collateral', value: 'FILE|DIR', help: 'collateral JSON file, a bundle file, or a directory of bundles (collateral fetch)' },
    { name: 'cache', value: 'DIR', help: 'with --pccs: verifying filesystem cache' },
    ...ONLINE_OPTIONS,
    { name: 'at', value: 'TIME', help: `verification time (default now): ${AT_FORMS}` },
    { name: 'root', value: 'FILE', help: 'trust anchor: CA certificate (PEM/DER) or hex P-256 point (default: Intel SGX Root CA)' },
    { name: 'trailing-bytes', value: 'reject|zeros|any', help: 'bytes after the quote: refuse, allow zero padding (default), allow any' },
    { name: 'allow-trailing-bytes', help: 'same as --trailing-bytes any' },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `JSON: {ok, status, advisoryIds, error, claims, collateral: {kind, source, cache, validUntil, ...}}.
Exit 0: verified (whatever the TCB status); 2: verification failed; 1: usage error.`,
};

export const verifyCli: CliCommand = {
  spec: VERIFY_SPEC,
  run: async (args, io) => (await import('./verify-run.js')).runVerifyCommand(args, io),
};
