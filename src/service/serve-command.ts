/**
 * `tee-attest serve`, as a function the CLI calls with its parsed flags:
 *
 *   --listen HOST:PORT    default 127.0.0.1:8080; with no API key configured
 *                         only a loopback host is accepted
 *   --pccs URL            Intel PCS or a PCCS (collateral source)
 *   --cache DIR           verified collateral cache (with --pccs), shareable by replicas
 *   --collateral DIR      offline bundles, tried first
 *   --api-key K           PCS subscription key for --pccs
 *   --insecure-http       allow an http:// --pccs URL
 *   --at TIME             fixed verification time (tests, replays)
 *   --signing-key FILE    PKCS#8 PEM (RSA → PS384, P-256 → ES256); default: generated
 *   --config FILE         the service config (config.ts)
 *
 * Prints one ready line with its URL on stdout; logs are JSON lines on
 * stderr. SIGINT / SIGTERM (or io.signal) shut it down gracefully.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attestationError } from '../errors.js';
import { createAppraisalService, type AppraisalService, type AppraisalServiceOptions } from './service.js';
import { listening } from '../node/listen.js';

/** The flags `serve` takes: value flags and boolean flags, for the CLI's parser. */
export const SERVE_VALUE_FLAGS = ['listen', 'pccs', 'cache', 'collateral', 'api-key', 'at', 'signing-key', 'config'] as const;
export const SERVE_BOOLEAN_FLAGS = ['insecure-http'] as const;

export const SERVE_HELP = `  tee-attest serve [--listen HOST:PORT] (--pccs URL [--cache DIR] | --collateral DIR) [--api-key K]
                   [--at TIME] [--signing-key FILE] [--config FILE] [--insecure-http]
      Run the appraisal service (Intel Trust Authority API: POST /appraisal/v2/attest, GET /certs).
      Without API keys in --config it serves loopback clients only.
`;

export type ServeCommandOptions = Readonly<Partial<Record<(typeof SERVE_VALUE_FLAGS)[number], string> & Record<(typeof SERVE_BOOLEAN_FLAGS)[number], boolean>>>;

export interface ServeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stop the service when aborted. */
  readonly signal?: AbortSignal;
  /** Install SIGINT / SIGTERM handlers. Default true. */
  readonly handleSignals?: boolean;
  /** Extra service options (tests: an injected source, clock or verifier). */
  readonly service?: Partial<AppraisalServiceOptions>;
}

export interface ServeHandle {
  readonly url: string;
  readonly server: Server;
  readonly service: AppraisalService;
  /** Resolves once the service has shut down. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

const usage = (message: string): never => {
  throw attestationError('InvalidArgument', `serve: ${message}`, { check: 'cli.serve' });
};

function parseListen(v: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) > 65535) usage('--listen takes HOST:PORT (e.g. 127.0.0.1:8080)');
  return { host: m![1]!.replace(/^\[|\]$/g, ''), port: Number(m![2]) };
}

const isLoopbackHost = (h: string): boolean => h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);

export async function runServeCommand(flags: ServeCommandOptions, io: ServeIo): Promise<ServeHandle> {
  for (const k of Object.keys(flags)) {
    if (!(SERVE_VALUE_FLAGS as readonly string[]).includes(k) && !(SERVE_BOOLEAN_FLAGS as readonly string[]).includes(k)) usage(`unknown flag --${k}`);
  }
  const { host, port } = parseListen(flags.listen ?? '127.0.0.1:8080');
  let config: unknown = {};
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch {
      return usage(`cannot read --config ${flags.config}`);
    }
    if (text.length > 4 * 1024 * 1024) usage('--config is larger than 4 MiB');
    try {
      config = JSON.parse(text);
    } catch {
      usage('--config is not JSON');
    }
  }
  if (flags.cache !== undefined && flags.pccs === undefined) usage('--cache needs --pccs');
  if (flags['api-key'] !== undefined && flags.pccs === undefined) usage('--api-key needs --pccs');
  if (flags.pccs === undefined && flags.collateral === undefined && io.service?.source === undefined) usage('give --pccs URL and / or --collateral DIR');

  const service = await createAppraisalService({
    config,
    ...(flags.pccs === undefined ? {} : { pccs: flags.pccs }),
    ...(flags['api-key'] === undefined ? {} : { pccsApiKey: flags['api-key'] }),
    ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
    ...(flags.collateral === undefined ? {} : { collateralDir: flags.collateral }),
    ...(flags['insecure-http'] === true ? { allowInsecureHttp: true } : {}),
    ...(flags.at === undefined ? {} : { at: flags.at }),
    ...(flags['signing-key'] === undefined ? {} : { signingKeyFile: flags['signing-key'] }),
    log: (e) => io.stderr(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n'),
    ...io.service,
  });
  if (service.openAccess && !isLoopbackHost(host)) {
    await service.close(0);
    usage(`no API key is configured: refusing to listen on ${host} (use a loopback address, or add apiKeys to --config)`);
  }
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, service.handler);
  server.keepAliveTimeout = 5_000;
  try {
    await listening(server, { port, host });
  } catch (e) {
    await service.close(0);
    throw attestationError('InvalidArgument', `serve: cannot listen on ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      check: 'cli.serve.listen',
    });
  }
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost}:${addr.port}`;

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let closing: Promise<void> | undefined;
  const onSignal = (): void => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (io.handleSignals !== false) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const stopped = new Promise<void>((r) => server.close(() => r()));
      await service.close();
      server.closeIdleConnections();
      await stopped;
      resolveDone();
    })();
    return closing;
  };
  if (io.handleSignals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  io.signal?.addEventListener('abort', onSignal, { once: true });
  io.stdout(`tee-attest serve: ready at ${url}${service.openAccess ? ' (no API key configured: loopback clients only)' : ''}\n`);
  return { url, server, service, done, close };
}
