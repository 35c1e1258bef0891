/**
 * `tee-attest attestation URL|FILE`: the options (what `--help` prints). The
 * implementation loads when the command runs (attestation-run.ts).
 */
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';
import { TRUST_OPTIONS } from './trust-flags.js';

export const ATTESTATION_SPEC: CommandSpec = {
  name: 'attestation',
  summary: "Fetch (or read) a TeeSQL sidecar's GET /attestation report and verify it: quote, tcb_info, REPORTDATA binding, freshness, pins.",
  synopsis: 'URL|FILE [--root FILE] [--mrtd HEX] [--compose-hash HEX] [--app-id HEX] [--os-image-hash HEX] [--insecure-http] [--json]',
  positionals: { name: 'URL|FILE', min: 1, max: 1 },
  options: [
    ...TRUST_OPTIONS,
    { name: 'encoding', value: 'text|binary', help: 'REPORTDATA encoding of wal_lsn ‖ controldata_hash ‖ timestamp (default text)' },
    { name: 'max-age', value: 'SECONDS', help: 'oldest acceptable report (default 300)' },
    { name: 'allow-unknown-members', help: 'tolerate members outside the documented report shape' },
    { name: 'timeout', value: 'MS', help: 'HTTP deadline in milliseconds (default 10000)' },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `A URL is fetched (https; http:// needs --insecure-http: the documented endpoint is plain HTTP on 8080,
and the report is self-authenticating through its quote, so plain HTTP costs no integrity, only the
tie to a later connection, which comes from the RA-TLS certificate: tee-attest probe).
app_id / compose_hash / instance_id are bound only when the report's event_log replays into RTMR3;
otherwise they are printed as NOT bound and --app-id / --compose-hash pins fail.
JSON: {ok, source, error, report, binding, claims, result, ageSeconds, pins}.
Exit 0: verified; 2: verification or fetch failed; 1: usage error.`,
};

export const attestationCli: CliCommand = {
  spec: ATTESTATION_SPEC,
  run: async (args, io) => (await import('./attestation-run.js')).runAttestationCommand(args, io),
};
