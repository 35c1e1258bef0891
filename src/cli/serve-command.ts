/**
 * `tee-attest serve`: the self-hosted appraisal service (issue 17; Intel
 * Trust Authority's API on your own hardware). Options here (light); the run
 * loads the service (src/service/serve-command.ts runServeCommand).
 */
import { availableParallelism } from 'node:os';
import { attestationError } from '../errors.js';
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';

export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  summary: 'Run the appraisal service: POST /appraisal/v2/attest answers an Intel Trust Authority-style token; GET /certs serves its JWKS.',
  synopsis: '[--listen HOST:PORT] (--pccs URL [--cache DIR] | --collateral DIR) [--api-key K] [--at TIME] [--workers N] [--signing-key FILE] [--config FILE] [--insecure-http]',
  options: [
    { name: 'listen', value: 'HOST:PORT', help: 'where it listens (default 127.0.0.1:8080); without API keys in --config only a loopback address' },
    { name: 'pccs', value: 'URL', help: 'Intel PCS or a PCCS for collateral' },
    { name: 'cache', value: 'DIR', help: 'verified collateral cache directory (with --pccs), shareable by replicas' },
    { name: 'collateral', value: 'DIR', help: 'offline collateral bundles, tried first' },
    { name: 'api-key', value: 'KEY', help: 'PCS subscription key for --pccs' },
    { name: 'at', value: 'TIME', help: 'a fixed verification time (tests, replays); default now' },
    { name: 'signing-key', value: 'FILE', help: 'PKCS#8 PEM token key (RSA: PS384, P-256: ES256); default generated at start' },
    { name: 'config', value: 'FILE', help: 'service config JSON: API keys (SHA-256), named policies, limits (docs/service.md)' },
    { name: 'insecure-http', help: 'allow an http:// --pccs URL' },
    { name: 'workers', value: 'N', help: 'verification worker threads (default: one per core; 1 verifies in the main thread)' },
  ],
  details: `Prints one ready line with its URL on stdout; logs are JSON lines on stderr.
Without API keys in --config it answers loopback clients only, and says so.
Runs until Ctrl-C (SIGINT) / SIGTERM, then shuts down gracefully and exits 0.
Exit 1: usage error; 2: start-up failure. See docs/service.md.`,
};

export const serveCli: CliCommand = {
  spec: SERVE_SPEC,
  run: async (args, io) => {
    const { runServeCommand, SERVE_VALUE_FLAGS } = await import('../service/serve-command.js');
    const flags: Record<string, string | boolean> = {};
    for (const name of SERVE_VALUE_FLAGS) {
      const v = args.values.get(name);
      if (v !== undefined) flags[name] = v;
    }
    if (args.flags.has('insecure-http')) flags['insecure-http'] = true;
    const workers = workerCount(args.values.get('workers'));
    // All cores: verification runs in a worker pool (same verifyQuote as createVerifier).
    const pool = workers > 1 ? (await import('../pool/pool.js')).createVerifierPool({ workers }) : undefined;
    try {
      const handle = await runServeCommand(flags, { stdout: io.stdout, stderr: io.stderr, ...(pool === undefined ? {} : { service: { verifier: pool } }) });
      await handle.done;
    } finally {
      await pool?.close();
    }
    return 0;
  },
};

function workerCount(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(v)) {
    throw attestationError('InvalidArgument', 'serve: --workers takes a whole number from 1 to 999', { check: 'cli.serve.workers', found: v.slice(0, 20) });
  }
  return Number(v);
}
