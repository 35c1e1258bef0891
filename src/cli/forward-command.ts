/**
 * `tee-attest forward --target HOST:PORT`: the local RA-TLS forwarder for any
 * Postgres driver (issue 14). Options here (light); the run loads the
 * forwarder (src/forward/command.ts runForwardCommand).
 */
import type { CommandSpec } from './args.js';
import type { CliCommand } from './registry.js';
import { TRUST_OPTIONS } from './trust-flags.js';

export const FORWARD_SPEC: CommandSpec = {
  name: 'forward',
  summary: 'Listen locally and forward each connection to an RA-TLS sidecar, verifying its certificate on every connection.',
  synopsis: '--target HOST:PORT [--listen 127.0.0.1:6432|unix:/path] [--root FILE] [--mrtd HEX] [--compose-hash HEX] [--app-id HEX] [--os-image-hash HEX] [--json-log] [--allow-non-loopback]',
  options: [
    { name: 'target', value: 'HOST:PORT', help: 'the RA-TLS sidecar (required)' },
    { name: 'listen', value: 'ADDR', help: 'where drivers connect: HOST:PORT (default 127.0.0.1:6432) or unix:/path (mode 0600)' },
    ...TRUST_OPTIONS,
    { name: 'json-log', help: 'one JSON object per line (ready, verified, refused, closed, stopped)' },
    { name: 'allow-non-loopback', help: 'DANGEROUS: listen on a non-loopback address (anyone who reaches it uses the verified tunnel)' },
  ],
  details: `The client certificate (mutual RA-TLS) comes from the dstack guest agent: DSTACK_SIMULATOR_ENDPOINT,
else /var/run/dstack.sock, /run/dstack.sock, /var/run/dstack/dstack.sock, /run/dstack/dstack.sock.
Pins are required as for the connector: (--mrtd or --os-image-hash) and (--compose-hash or --app-id),
or --allow-any-td (INSECURE). Prints a ready line with the driver URL, then one line per connection.
Any local process can use a loopback listener; a Unix socket (unix:/path, mode 0600) limits it to your user.
Runs until Ctrl-C (SIGINT) / SIGTERM, then drains and exits 0. Exit 1: usage error; 2: start-up failure.`,
};

export const forwardCli: CliCommand = {
  spec: FORWARD_SPEC,
  run: async (args, io) => (await import('./forward-run.js')).runForwardCli(args, io),
};
