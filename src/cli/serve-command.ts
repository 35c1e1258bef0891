/**
 * `tee-attest serve`: the self-hosted appraisal service (issue 17; Intel
 * Trust Authority's API on your own hardware). Options here (light); the run
 * loads the service (src/service/serve-command.ts runServeCommand).
 */
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';

export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  summary: 'Run the appraisal service: POST /appraisal/v2/attest answers an Intel Trust Authority-style token; GET /certs serves its JWKS.',
  synopsis: '[--listen HOST:PORT] (--pccs URL [--cache DIR] | --collateral DIR) [--api-key K] [--at TIME] [--signing-key FILE] [--config FILE] [--insecure-http]',
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
    const handle = await runServeCommand(flags, { stdout: io.stdout, stderr: io.stderr });
    await handle.done;
    return 0;
  },
};
