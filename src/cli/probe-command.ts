/**
 * `tee-attest probe HOST:PORT`: verify an RA-TLS server (a TeeSQL sidecar)
 * before connecting to it. Options here (light); the run loads the TLS and
 * verification stack.
 */
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';
import { TRUST_OPTIONS } from './trust-flags.js';

export const PROBE_SPEC: CommandSpec = {
  name: 'probe',
  summary: 'Verify an RA-TLS server (HOST:PORT) exactly as the connector would, without sending any application byte.',
  synopsis: 'HOST:PORT [--root FILE] (--mrtd HEX | --os-image-hash HEX) (--compose-hash HEX | --app-id HEX) [--allow-any-td] [--json]',
  positionals: { name: 'HOST:PORT', min: 1, max: 1 },
  options: [
    ...TRUST_OPTIONS,
    { name: 'servername', value: 'NAME', help: 'TLS SNI (default: the host when it is a name)' },
    { name: 'timeout', value: 'MS', help: 'TCP + TLS handshake deadline in milliseconds (default 15000)' },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `Pins are required as for a connection: (--mrtd or --os-image-hash) and (--compose-hash or --app-id),
or --allow-any-td (INSECURE). Prints the verified claims and the certificate's SHA-256: pin it on the
connection (expectedCertificateSha256) so it must present the same certificate (time-of-check/time-of-use).
JSON: {ok, target, error, certificateSha256, tlsVersion, result, claims, eventLog, pins}.
Exit 0: verified; 2: connection or verification failed; 1: usage error.`,
};

export const probeCli: CliCommand = {
  spec: PROBE_SPEC,
  run: async (args, io) => (await import('./probe-run.js')).runProbeCommand(args, io),
};
