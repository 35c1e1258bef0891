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
 * Platform options: --debug, --mrtd HEX, --revoke-pck, --legacy-certificates.
 * Runs until SIGINT / SIGTERM, then removes everything it created.
 * Exit codes: 0 stopped cleanly, 1 usage error, 2 start-up failure.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAttestationError } from '../errors.js';
import { serveGuestAgent, type AgentServer } from './agent.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { startSidecar, type RaTlsSidecar, type SidecarEvent } from './sidecar.js';
import { DstackSimulator, type DstackSimulatorOptions } from './simulator.js';

export const SIM_HELP = `usage:
  tee-attest-sim up [--socket PATH | --agent-port N] [--listen HOST:PORT]
                    (--postgres | --upstream HOST:PORT) [--debug] [--mrtd HEX] [--revoke-pck]
                    [--legacy-certificates] [--json] [--quiet]
      Start a dstack guest-agent simulator, a mutual RA-TLS sidecar on --listen
      (default 127.0.0.1:5433) forwarding to PostgreSQL, and with --postgres a
      throw-away PostgreSQL with the roles teesql_readwrite / teesql_read.
  tee-attest-sim agent [--socket PATH | --agent-port N] [--debug] [--mrtd HEX] [--revoke-pck] [--json]
      Start only the guest-agent simulator (GetTlsKey, GetQuote, Info).
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
}

export interface SimulatorStack {
  readonly simulator: DstackSimulator;
  readonly agent: AgentServer;
  readonly sidecar?: RaTlsSidecar;
  readonly postgres?: PostgresCluster;
  /** With `postgres`: DSNs through the sidecar for the two roles. */
  readonly databaseUrl?: string;
  readonly databaseUrlRead?: string;
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
    let postgres: PostgresCluster | undefined;
    let sidecar: RaTlsSidecar | undefined;
    if (o.sidecar !== undefined) {
      let upstream = o.upstream;
      if (o.postgres === true) {
        postgres = await startPostgresCluster();
        opened.push({ close: () => postgres!.stop() });
        upstream = { host: postgres.host, port: postgres.port };
      }
      if (upstream === undefined) throw new Error('the sidecar needs --postgres or --upstream HOST:PORT');
      const k = simulator.getTlsKey({ subject: 'tee-attest-sim sidecar', alt_names: ['localhost', o.sidecar.host], usage_ra_tls: true, usage_server_auth: true });
      sidecar = await startSidecar({
        tlsKey: { key: k.key, certificateChain: k.certificate_chain },
        upstream,
        host: o.sidecar.host,
        port: o.sidecar.port,
        verifier: simulator.verifier(),
        ...(o.platform?.debug === true ? { allowDebugMode: true } : {}),
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

export interface ParsedSimArgs {
  readonly command: 'up' | 'agent' | 'help';
  readonly stack: SimulatorStackOptions;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Parses the command line (throws UsageError). */
export function parseSimArgs(argv: readonly string[]): ParsedSimArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    return { command: 'help', stack: {}, json: false, quiet: false };
  }
  if (command !== 'up' && command !== 'agent') throw new UsageError(`unknown command ${command}`);
  const platform: { -readonly [K in keyof DstackSimulatorOptions]: DstackSimulatorOptions[K] } = {};
  let socketPath: string | undefined;
  let agentPort: number | undefined;
  let listen = { host: '127.0.0.1', port: 5433 };
  let postgres = false;
  let upstream: { host: string; port: number } | undefined;
  let json = false;
  let quiet = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--socket':
        socketPath = value();
        break;
      case '--agent-port': {
        const v = value();
        agentPort = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
        if (!(agentPort >= 0 && agentPort <= 65535)) throw new UsageError('--agent-port takes a port number');
        break;
      }
      case '--listen':
        listen = hostPort(value(), a);
        break;
      case '--upstream':
        upstream = hostPort(value(), a);
        break;
      case '--postgres':
        postgres = true;
        break;
      case '--debug':
        platform.debug = true;
        break;
      case '--revoke-pck':
        platform.revokePck = true;
        break;
      case '--legacy-certificates':
        platform.certificateFormat = 'legacy';
        break;
      case '--mrtd': {
        const v = value().replace(/^0x/i, '');
        if (!/^[0-9a-fA-F]{96}$/.test(v)) throw new UsageError('--mrtd takes 48 bytes of hex');
        platform.mrtd = v;
        break;
      }
      case '--json':
        json = true;
        break;
      case '--quiet':
        quiet = true;
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  if (command === 'up' && !postgres && upstream === undefined) throw new UsageError('up needs --postgres or --upstream HOST:PORT');
  if (postgres && upstream !== undefined) throw new UsageError('give --postgres or --upstream, not both');
  const stack: SimulatorStackOptions = {
    platform,
    ...(socketPath === undefined ? {} : { socketPath }),
    ...(agentPort === undefined ? {} : { agentPort }),
    ...(command === 'up' ? { sidecar: listen, postgres, ...(upstream === undefined ? {} : { upstream }) } : {}),
  };
  return { command, stack, json, quiet };
}

/** The start-up report (what to export, where things listen). */
export function describeStack(s: SimulatorStack, json: boolean): string {
  const info = {
    DSTACK_SIMULATOR_ENDPOINT: s.agent.endpoint,
    mrtd: s.simulator.mrtd,
    composeHash: Buffer.from(s.simulator.composeHash).toString('hex'),
    ...(s.sidecar === undefined ? {} : { sidecar: `${s.sidecar.host}:${s.sidecar.port}` }),
    ...(s.postgres === undefined ? {} : { postgres: `${s.postgres.host}:${s.postgres.port}` }),
    ...(s.databaseUrl === undefined ? {} : { DATABASE_URL: s.databaseUrl }),
    ...(s.databaseUrlRead === undefined ? {} : { DATABASE_URL_READ: s.databaseUrlRead }),
  };
  if (json) return JSON.stringify(info);
  const lines = [
    '# tee-attest simulator (DEVELOPMENT ONLY: quotes signed by a FAKE Intel root)',
    `export DSTACK_SIMULATOR_ENDPOINT=${info.DSTACK_SIMULATOR_ENDPOINT}`,
  ];
  if (info.DATABASE_URL !== undefined) lines.push(`export DATABASE_URL=${info.DATABASE_URL}`);
  if (info.DATABASE_URL_READ !== undefined) lines.push(`export DATABASE_URL_READ=${info.DATABASE_URL_READ}`);
  lines.push(`# TD MRTD:      ${info.mrtd}`, `# compose hash: ${info.composeHash}`);
  if (info.sidecar !== undefined) lines.push(`# sidecar:      ${info.sidecar} (mutual RA-TLS) -> PostgreSQL ${info.postgres ?? 'upstream'}`);
  lines.push('# Ctrl-C to stop.');
  return lines.join('\n');
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
    io.stderr(`${e instanceof Error ? e.message : String(e)}\n${SIM_HELP}\n`);
    return 1;
  }
  if (parsed.command === 'help') {
    io.stdout(`${SIM_HELP}\n`);
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
