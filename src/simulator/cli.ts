/**
 * `tee-attest-sim`: the simulator on the command line (bin.ts runs it).
 *
 *   tee-attest-sim up    [--socket PATH | --agent-port N] [--listen HOST:PORT]
 *                        (--postgres | --upstream HOST:PORT) [platform options] [--json]
 *       guest agent + mutual RA-TLS sidecar (+ a throw-away PostgreSQL with --postgres);
 *       prints DSTACK_SIMULATOR_ENDPOINT and, with --postgres, DATABASE_URLs.
 *   tee-attest-sim agent [--socket PATH | --agent-port N] [platform options] [--json]
 *       the guest agent alone.
 *
 * Platform options: --debug, --mrtd HEX, --compose-hash HEX, --app-id HEX,
 * --os-image-hash HEX, --revoke-pck, --legacy-certificates (identity-change
 * tests need no code: start two simulators with different values).
 * Options are parsed by the package's one parser (src/cli/args.ts): unknown
 * or repeated options are usage errors; `<command> --help` prints its options.
 * Runs until SIGINT / SIGTERM, then removes everything it created.
 * Exit codes: 0 stopped cleanly, 1 usage error, 2 start-up failure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAttestationError } from '../errors.js';
import { serveGuestAgent, type AgentServer } from './agent.js';
import { postgresStateReader, serveAttestation, type AttestationServer } from './attestation-server.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { startSidecar, type RaTlsSidecar, type SidecarEvent } from './sidecar.js';
import { DstackSimulator, type DstackSimulatorOptions } from './simulator.js';
import { formatHelp, parseCommand, type CommandSpec, type OptionSpec, type ParsedCommand } from '../cli/args.js';

export const SIM_HELP = `usage:
  tee-attest-sim up [--socket PATH | --agent-port N] [--listen HOST:PORT] [--attestation-listen HOST:PORT]
                    (--postgres | --upstream HOST:PORT) [--debug] [--mrtd HEX] [--compose-hash HEX]
                    [--app-id HEX] [--os-image-hash HEX] [--revoke-pck] [--legacy-certificates] [--json] [--quiet]
      Start a dstack guest-agent simulator, a mutual RA-TLS sidecar on --listen
      (default 127.0.0.1:5433) forwarding to PostgreSQL, and with --postgres a
      throw-away PostgreSQL with the roles teesql_readwrite / teesql_read and
      GET /attestation on --attestation-listen (default 127.0.0.1:8080).
  tee-attest-sim agent [--socket PATH | --agent-port N] [--debug] [--mrtd HEX] [--compose-hash HEX]
                       [--app-id HEX] [--os-image-hash HEX] [--revoke-pck] [--json]
      Start only the guest-agent simulator (GetTlsKey, GetQuote, Info).
  tee-attest-sim <command> --help     the options of one command
  tee-attest-sim --version
  Default socket: ${join(tmpdir(), 'tee-attest-dstack.sock')}. Stop with Ctrl-C.
  DEVELOPMENT ONLY: quotes are signed by a FAKE Intel root.`;

export interface SimulatorStackOptions {
  readonly platform?: DstackSimulatorOptions;
  /** Guest agent: unix socket path, or a loopback TCP port when `agentPort` is set. */
  readonly socketPath?: string;
  readonly agentPort?: number;
  /** Start a sidecar listening here (requires `postgres` or `upstream`). */
  readonly sidecar?: { readonly host: string; readonly port: number };
  /** Start a throw-away PostgreSQL for the sidecar. */
  readonly postgres?: boolean;
  /** Or forward to this PostgreSQL. */
  readonly upstream?: { readonly host: string; readonly port: number };
  readonly onSidecarEvent?: (e: SidecarEvent) => void;
  /** With `postgres`: serve GET /attestation here (default 127.0.0.1:8080, the documented sidecar port; port 0: any free port). */
  readonly attestation?: { readonly host: string; readonly port: number };
  /** Where the FAKE root certificate and collateral files are written. Default: a new temporary directory, removed by close(). */
  readonly trustDir?: string;
}

export interface SimulatorStack {
  readonly simulator: DstackSimulator;
  readonly agent: AgentServer;
  readonly sidecar?: RaTlsSidecar;
  readonly postgres?: PostgresCluster;
  /** With `postgres`: DSNs through the sidecar for the two roles. */
  readonly databaseUrl?: string;
  readonly databaseUrlRead?: string;
  /** With `postgres`: the GET /attestation server. */
  readonly attestation?: AttestationServer;
  /** Path of the FAKE Intel root certificate (PEM): `--root` of the tee-attest commands. */
  readonly rootFile: string;
  /** Path of the platform's collateral (JSON): `--collateral` of the tee-attest commands. */
  readonly collateralFile: string;
  close(): Promise<void>;
}

/** Starts the guest agent, and optionally PostgreSQL and the sidecar; `close()` undoes all of it. */
export async function startSimulatorStack(o: SimulatorStackOptions): Promise<SimulatorStack> {
  const simulator = new DstackSimulator(o.platform);
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const h of opened.reverse()) await h.close().catch(() => undefined);
  };
  try {
    const agent = await serveGuestAgent(
      simulator,
      o.agentPort !== undefined ? { port: o.agentPort } : { socketPath: o.socketPath ?? join(tmpdir(), 'tee-attest-dstack.sock') },
    );
    opened.push(agent);
    const trustDir = o.trustDir ?? mkdtempSync(join(tmpdir(), 'tee-attest-sim-trust-'));
    if (o.trustDir === undefined) opened.push({ close: async () => rmSync(trustDir, { recursive: true, force: true }) });
    const rootFile = join(trustDir, 'fake-intel-root.pem');
    const collateralFile = join(trustDir, 'collateral.json');
    writeFileSync(rootFile, simulator.scenario.pki.root.pem);
    writeFileSync(collateralFile, JSON.stringify(simulator.collateral));
    let attestation: AttestationServer | undefined;
    let postgres: PostgresCluster | undefined;
    let sidecar: RaTlsSidecar | undefined;
    if (o.sidecar !== undefined) {
      let upstream = o.upstream;
      if (o.postgres === true) {
        postgres = await startPostgresCluster();
        opened.push({ close: () => postgres!.stop() });
        upstream = { host: postgres.host, port: postgres.port };
        const a = o.attestation ?? { host: '127.0.0.1', port: 8080 };
        attestation = await serveAttestation(simulator, postgresStateReader(postgres), { host: a.host, port: a.port });
        opened.push(attestation);
      }
      if (upstream === undefined) throw new Error('the sidecar needs --postgres or --upstream HOST:PORT');
      const k = simulator.getTlsKey({ subject: 'tee-attest-sim sidecar', alt_names: ['localhost', o.sidecar.host], usage_ra_tls: true, usage_server_auth: true });
      sidecar = await startSidecar({
        tlsKey: { key: k.key, certificateChain: k.certificate_chain },
        upstream,
        host: o.sidecar.host,
        port: o.sidecar.port,
        verifier: simulator.verifier(),
        ...(o.platform?.debug === true ? { allowDebug: true } : {}),
        ...(o.onSidecarEvent === undefined ? {} : { onEvent: o.onSidecarEvent }),
      });
      opened.push(sidecar);
    }
    const at = sidecar === undefined ? undefined : `${sidecar.host}:${sidecar.port}`;
    const url = (role: string): string | undefined => {
      const r = postgres?.roles.find((x) => x.name === role);
      return r === undefined || at === undefined ? undefined : `postgres://${r.name}:${r.password}@${at}/postgres`;
    };
    const databaseUrl = url('teesql_readwrite');
    const databaseUrlRead = url('teesql_read');
    return {
      simulator,
      agent,
      ...(sidecar === undefined ? {} : { sidecar }),
      ...(postgres === undefined ? {} : { postgres }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      ...(databaseUrlRead === undefined ? {} : { databaseUrlRead }),
      ...(attestation === undefined ? {} : { attestation }),
      rootFile,
      collateralFile,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

export class UsageError extends Error {}

function hostPort(v: string | undefined, flag: string): { host: string; port: number } {
  const m = v === undefined ? null : /^(.*):(\d{1,5})$/.exec(v);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || m[1] === '' || port > 65535) throw new UsageError(`${flag} takes HOST:PORT`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

function hexFlag(v: string | undefined, flag: string, bytes: number): string | undefined {
  if (v === undefined) return undefined;
  const h = v.replace(/^0x/i, '');
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(h)) throw new UsageError(`${flag} takes ${bytes} bytes of hex`);
  return h.toLowerCase();
}

export interface ParsedSimArgs {
  readonly command: 'up' | 'agent' | 'help' | 'version';
  readonly stack: SimulatorStackOptions;
  readonly json: boolean;
  readonly quiet: boolean;
  /** With command 'help': the help text to print. */
  readonly help?: string;
}

const PLATFORM_OPTIONS: readonly OptionSpec[] = [
  { name: 'socket', value: 'PATH', help: 'guest-agent unix socket' },
  { name: 'agent-port', value: 'N', help: 'guest agent on loopback TCP port N instead (0: any free port)' },
  { name: 'debug', help: 'a debug TD (TDATTRIBUTES.DEBUG)' },
  { name: 'mrtd', value: 'HEX', help: 'the TD measurement MRTD (48 bytes hex)' },
  { name: 'compose-hash', value: 'HEX', help: 'the app compose hash (32 bytes hex), replayed into RTMR3 and MRCONFIGID' },
  { name: 'app-id', value: 'HEX', help: 'the app id (20 bytes hex), replayed into RTMR3' },
  { name: 'os-image-hash', value: 'HEX', help: 'the OS image hash (32 bytes hex), replayed into RTMR3' },
  { name: 'revoke-pck', help: 'list the platform PCK certificate in the PCK CRL' },
  { name: 'json', help: 'print the start-up report as JSON' },
];

const UP_SPEC: CommandSpec = {
  name: 'up',
  summary: 'Start a dstack guest-agent simulator, a mutual RA-TLS sidecar on --listen (default 127.0.0.1:5433) forwarding to PostgreSQL, and with --postgres a throw-away PostgreSQL with the roles teesql_readwrite / teesql_read.',
  synopsis: '(--postgres | --upstream HOST:PORT) [--listen HOST:PORT] [platform options] [--json] [--quiet]',
  options: [
    { name: 'postgres', help: 'start a throw-away PostgreSQL behind the sidecar' },
    { name: 'upstream', value: 'HOST:PORT', help: 'or forward to this PostgreSQL' },
    { name: 'listen', value: 'HOST:PORT', help: 'sidecar address (default 127.0.0.1:5433)' },
    { name: 'attestation-listen', value: 'HOST:PORT', help: 'with --postgres: GET /attestation address (default 127.0.0.1:8080)' },
    { name: 'legacy-certificates', help: 'RA-TLS certificates in the legacy layout (quote in OID .1.1, event log in .1.2)' },
    { name: 'quiet', help: 'no sidecar connection log on stderr' },
    ...PLATFORM_OPTIONS,
  ],
  details: 'Runs until SIGINT / SIGTERM, then removes everything it created. DEVELOPMENT ONLY: quotes are signed by a FAKE Intel root.\nExit 0: stopped cleanly; 1: usage error; 2: start-up failure.',
};

const AGENT_SPEC: CommandSpec = {
  name: 'agent',
  summary: 'Start only the guest-agent simulator (GetTlsKey, GetQuote, Info).',
  synopsis: '[platform options] [--json]',
  options: [{ name: 'legacy-certificates', help: 'RA-TLS certificates in the legacy layout' }, { name: 'quiet', help: 'accepted for symmetry with up' }, ...PLATFORM_OPTIONS],
  details: 'Runs until SIGINT / SIGTERM. Exit 0: stopped cleanly; 1: usage error; 2: start-up failure.',
};

/** Parses the command line with the package's one argument parser (throws UsageError). */
export function parseSimArgs(argv: readonly string[]): ParsedSimArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    return { command: 'help', stack: {}, json: false, quiet: false, help: SIM_HELP };
  }
  if (command === '--version') return { command: 'version', stack: {}, json: false, quiet: false };
  if (command !== 'up' && command !== 'agent') throw new UsageError(`unknown command ${command}`);
  const spec = command === 'up' ? UP_SPEC : AGENT_SPEC;
  let args: ParsedCommand;
  try {
    args = parseCommand(spec, rest);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (args.help) return { command: 'help', stack: {}, json: false, quiet: false, help: formatHelp('tee-attest-sim', spec) };
  if (args.version) return { command: 'version', stack: {}, json: false, quiet: false };
  const v = args.values;
  const platform: { -readonly [K in keyof DstackSimulatorOptions]: DstackSimulatorOptions[K] } = {};
  if (args.flags.has('debug')) platform.debug = true;
  if (args.flags.has('revoke-pck')) platform.revokePck = true;
  if (args.flags.has('legacy-certificates')) platform.certificateFormat = 'legacy';
  const mrtd = hexFlag(v.get('mrtd'), '--mrtd', 48);
  if (mrtd !== undefined) platform.mrtd = mrtd;
  const composeHash = hexFlag(v.get('compose-hash'), '--compose-hash', 32);
  if (composeHash !== undefined) platform.composeHash = composeHash;
  const appId = hexFlag(v.get('app-id'), '--app-id', 20);
  if (appId !== undefined) platform.appId = appId;
  const osImageHash = hexFlag(v.get('os-image-hash'), '--os-image-hash', 32);
  if (osImageHash !== undefined) platform.osImageHash = osImageHash;
  const socketPath = v.get('socket');
  let agentPort: number | undefined;
  if (v.has('agent-port')) {
    const p = v.get('agent-port')!;
    agentPort = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
    if (!(agentPort >= 0 && agentPort <= 65535)) throw new UsageError('--agent-port takes a port number');
  }
  if (socketPath !== undefined && agentPort !== undefined) throw new UsageError('give --socket or --agent-port, not both');
  const postgres = args.flags.has('postgres');
  const upstream = v.has('upstream') ? hostPort(v.get('upstream'), '--upstream') : undefined;
  const listen = v.has('listen') ? hostPort(v.get('listen'), '--listen') : { host: '127.0.0.1', port: 5433 };
  const attestation = v.has('attestation-listen') ? hostPort(v.get('attestation-listen'), '--attestation-listen') : undefined;
  if (attestation !== undefined && !postgres) throw new UsageError('--attestation-listen needs --postgres (the report reads its PostgreSQL)');
  if (command === 'up' && !postgres && upstream === undefined) throw new UsageError('up needs --postgres or --upstream HOST:PORT');
  if (postgres && upstream !== undefined) throw new UsageError('give --postgres or --upstream, not both');
  const stack: SimulatorStackOptions = {
    platform,
    ...(socketPath === undefined ? {} : { socketPath }),
    ...(agentPort === undefined ? {} : { agentPort }),
    ...(command === 'up' ? { sidecar: listen, postgres, ...(upstream === undefined ? {} : { upstream }), ...(attestation === undefined ? {} : { attestation }) } : {}),
  };
  return { command, stack, json: args.flags.has('json'), quiet: args.flags.has('quiet') };
}

/** The start-up report (what to export, where things listen). */
export function describeStack(s: SimulatorStack, json: boolean): string {
  const info = {
    DSTACK_SIMULATOR_ENDPOINT: s.agent.endpoint,
    mrtd: s.simulator.mrtd,
    composeHash: Buffer.from(s.simulator.composeHash).toString('hex'),
    appId: Buffer.from(s.simulator.appId).toString('hex'),
    osImageHash: Buffer.from(s.simulator.osImageHash).toString('hex'),
    ...(s.sidecar === undefined ? {} : { sidecar: `${s.sidecar.host}:${s.sidecar.port}` }),
    ...(s.postgres === undefined ? {} : { postgres: `${s.postgres.host}:${s.postgres.port}` }),
    ...(s.databaseUrl === undefined ? {} : { DATABASE_URL: s.databaseUrl }),
    ...(s.databaseUrlRead === undefined ? {} : { DATABASE_URL_READ: s.databaseUrlRead }),
    ...(s.databaseUrl === undefined ? {} : { databaseUrl: s.databaseUrl }),
    ...(s.databaseUrlRead === undefined ? {} : { databaseUrlRead: s.databaseUrlRead }),
    ...(s.attestation === undefined ? {} : { attestationUrl: s.attestation.url }),
    root: s.rootFile,
    collateral: s.collateralFile,
  };
  if (json) return JSON.stringify(info);
  const lines = [
    '# tee-attest simulator (DEVELOPMENT ONLY: quotes signed by a FAKE Intel root)',
    `export DSTACK_SIMULATOR_ENDPOINT=${info.DSTACK_SIMULATOR_ENDPOINT}`,
  ];
  if (info.DATABASE_URL !== undefined) lines.push(`export DATABASE_URL=${info.DATABASE_URL}`);
  if (info.DATABASE_URL_READ !== undefined) lines.push(`export DATABASE_URL_READ=${info.DATABASE_URL_READ}`);
  lines.push(`# TD MRTD:      ${info.mrtd}`, `# compose hash: ${info.composeHash}`, `# app id:       ${info.appId}`, `# OS image:     ${info.osImageHash}`);
  if (info.sidecar !== undefined) lines.push(`# sidecar:      ${info.sidecar} (mutual RA-TLS) -> PostgreSQL ${info.postgres ?? 'upstream'}`);
  if (info.attestationUrl !== undefined) lines.push(`# attestation:  ${info.attestationUrl} (GET, plain HTTP)`);
  lines.push(`# FAKE root:    ${info.root}`, `# collateral:   ${info.collateral}`);
  lines.push('# Ctrl-C to stop.');
  return lines.join('\n');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export interface SimCliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Resolves when the CLI should stop (bin.ts: SIGINT / SIGTERM). */
  readonly stopped: Promise<void>;
}

/** Runs the CLI; resolves with the exit code. */
export async function runSimulatorCli(argv: readonly string[], io: SimCliIo): Promise<number> {
  let parsed: ParsedSimArgs;
  try {
    parsed = parseSimArgs(argv);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (argv.includes('--json')) io.stdout(JSON.stringify({ ok: false, error: { code: 'InvalidArgument', kind: 'usage', message, evidence: { check: 'cli.usage' } } }) + '\n');
    else io.stderr(`tee-attest-sim: ${message}\n${SIM_HELP}\n`);
    return 1;
  }
  if (parsed.command === 'help') {
    io.stdout(`${parsed.help ?? SIM_HELP}\n`);
    return 0;
  }
  if (parsed.command === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  let stack: SimulatorStack;
  try {
    stack = await startSimulatorStack({
      ...parsed.stack,
      ...(parsed.quiet
        ? {}
        : {
            onSidecarEvent: (e: SidecarEvent) => {
              if (e.type === 'accepted' || e.type === 'refused' || e.type === 'upstream-error') {
                io.stderr(`[sidecar] ${e.type} ${e.remote}${e.code === undefined ? '' : ` ${e.code}`}${e.message === undefined ? '' : `: ${e.message}`}\n`);
              }
            },
          }),
    });
  } catch (e) {
    io.stderr(`tee-attest-sim: ${isAttestationError(e) ? `${e.code}: ` : ''}${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  io.stdout(`${describeStack(stack, parsed.json)}\n`);
  await io.stopped;
  await stack.close();
  return 0;
}
