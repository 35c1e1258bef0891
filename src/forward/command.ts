/**
 * What `tee-attest forward` runs once its flags are parsed (the CLI owns the
 * parsing and the verifier built from --root): start the forwarder, print a
 * ready line with the address to put in the driver's URL, one line per
 * connection (verified claims summary, refusal code, close), JSON lines with
 * `json`, and clean up on SIGINT / SIGTERM (or when `signal` aborts).
 *
 * Intended flags: --target HOST:PORT, --listen ADDR (default 127.0.0.1:6432;
 * unix:/path for a Unix socket), --root FILE, --mrtd HEX, --compose-hash HEX,
 * --app-id HEX, --os-image-hash HEX (repeatable pins), --json-log.
 */
import { createRaTlsForwarder, type ForwarderEvent, type RaTlsForwarder, type RaTlsForwarderOptions } from './forwarder.js';

export interface ForwardCommandOptions extends Omit<RaTlsForwarderOptions, 'onEvent' | 'warn'> {
  /** One JSON object per line instead of text. */
  readonly json?: boolean;
}

export interface ForwardCommandIo {
  /** One output line (no newline). */
  readonly out: (line: string) => void;
  /** Stops the forwarder when aborted (tests). Default: SIGINT / SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once listening (tests, supervisors). */
  readonly onReady?: (forwarder: RaTlsForwarder) => void;
}

const short = (hex: string | undefined): string => (hex === undefined ? '-' : hex.length > 16 ? `${hex.slice(0, 16)}…` : hex);

/**
 * The URL to give a driver: TCP with sslmode=disable (TLS is the
 * forwarder's job); a Unix socket named like libpq's (`DIR/.s.PGSQL.PORT`)
 * as `host=DIR&port=PORT`.
 */
export function driverUrl(address: string): string {
  if (!address.startsWith('/')) return `postgres://USER:PASSWORD@${address}/DB?sslmode=disable`;
  const m = /^(.*)\/\.s\.PGSQL\.(\d+)$/.exec(address);
  return m === null ? `(name the socket DIR/.s.PGSQL.PORT for libpq drivers: ${address})` : `postgres://USER:PASSWORD@/DB?host=${m[1]}&port=${m[2]}`;
}

/** One human-readable line per event. */
export function formatForwarderEvent(e: ForwarderEvent): string {
  switch (e.type) {
    case 'listening':
      return `ready: listening on ${e.address}, forwarding to the RA-TLS sidecar ${e.target} (driver URL: ${driverUrl(e.address)})`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'verified':
      return `#${e.id} ${e.remote} verified${e.pinned ? ' (pinned)' : ''} mrtd=${short(e.mrtd)} compose-hash=${short(e.composeHash)} app-id=${short(e.appId)} ` +
        `os-image-hash=${short(e.osImageHash)} tcb=${e.tcbStatus} cert=${short(e.fingerprint)}`;
    case 'refused':
      return `#${e.id} ${e.remote} refused ${e.code}: ${e.message}`;
    case 'rejected':
      return `#${e.id} ${e.remote} rejected: ${e.reason}`;
    case 'closed':
      return `#${e.id} ${e.remote} closed (${e.reason}) up=${e.bytesUp} down=${e.bytesDown}`;
  }
}

/**
 * Runs the forwarder until SIGINT / SIGTERM (or `io.signal`), then closes it
 * (drains for up to 10 s) and resolves with exit status 0. Option errors
 * (InvalidArgument, MissingDstackSocket) reject before anything listens.
 */
export async function runForwardCommand(options: ForwardCommandOptions, io: ForwardCommandIo): Promise<number> {
  const { json, ...forwarderOptions } = options;
  const print = (e: ForwarderEvent): void => io.out(json === true ? JSON.stringify({ event: e.type, ...e, type: undefined }) : formatForwarderEvent(e));
  const forwarder = await createRaTlsForwarder({
    ...forwarderOptions,
    onEvent: print,
    warn: (message) => {
      if (!message.startsWith('tee-attest forward: listening on non-loopback')) print({ type: 'warning', message });
    },
  });
  io.onReady?.(forwarder);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (io.signal !== undefined) {
      if (io.signal.aborted) stop();
      else io.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await forwarder.close();
  const s = forwarder.stats;
  io.out(json === true ? JSON.stringify({ event: 'stopped', ...s }) : `stopped: ${s.verified} verified, ${s.refused} refused, ${s.rejected} rejected`);
  return 0;
}
