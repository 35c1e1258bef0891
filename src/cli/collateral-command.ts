/**
 * `tee-attest collateral fetch`: fetch, verify and write an offline collateral
 * bundle for air-gapped verification; `tee-attest collateral verify`: check a
 * bundle file or directory (signatures, chains, CRLs, dates) at --at.
 *
 * The bundle is verified (signatures, chains, CRLs, validity at --at, against
 * the pinned root or --root) before it is written, atomically, to
 * DIR/<tee>-<fmspc>-<ca>[-early].json; `verify --collateral DIR` or
 * `verify --collateral FILE` reads it back.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isAttestationError } from '../errors.js';
import { parseBundle } from '../sources/dcap/bundle.js';
import { collateralRequestForQuote, normalizeRequest } from '../sources/dcap/request.js';
import type { CollateralRequest, TcbUpdateType } from '../sources/dcap/types.js';
import type { FetchLike } from '../sources/dcap/fetch-like.js';
import { isoFromSeconds, readClock, systemClock, type Clock } from '../lib/time.js';
import { parseCommand, usage, type CommandSpec, type ParsedCommand } from './args.js';
import { isDirectory } from './collateral-resolve.js';
import { ONLINE_OPTIONS, checkPccsUrl, parseRootCaCrl, parseTimeout } from './online-options.js';
import { decodeBinaryOrHex, loadRootKey, readFileOrUsage } from './io.js';
import { errorJson } from './output.js';
import type { CliCommand, CliIo } from './registry.js';
import { AT_FORMS, clockAt, parseAtArg } from './time-arg.js';

function requestFromArgs(values: ReadonlyMap<string, string>): CollateralRequest {
  const quotePath = values.get('quote');
  const fmspc = values.get('fmspc');
  const tee = values.get('tee');
  const ca = values.get('ca');
  const update = values.get('update');
  if (update !== undefined && update !== 'standard' && update !== 'early') throw usage('--update is standard | early', '--update');
  const withUpdate = (r: CollateralRequest): CollateralRequest => (update === undefined ? r : { ...r, update: update as TcbUpdateType });
  if (quotePath !== undefined) {
    if (fmspc !== undefined || tee !== undefined || ca !== undefined) throw usage('give either --quote or --fmspc/--tee/--ca, not both', '--quote');
    const quote = decodeBinaryOrHex(readFileOrUsage(quotePath, 'quote'));
    return withUpdate(collateralRequestForQuote(quote, { trailingBytes: 'any' }));
  }
  if (fmspc === undefined || tee === undefined || ca === undefined) throw usage('give --quote FILE, or all of --fmspc HEX --tee sgx|tdx --ca platform|processor', '--quote');
  const teeType = tee.toUpperCase();
  if (teeType !== 'SGX' && teeType !== 'TDX') throw usage('--tee is sgx | tdx', '--tee');
  if (ca !== 'platform' && ca !== 'processor') throw usage('--ca is platform | processor', '--ca');
  if (!/^[0-9a-fA-F]{12}$/.test(fmspc)) throw usage('--fmspc takes 12 hex digits', '--fmspc');
  return normalizeRequest(withUpdate({ teeType, fmspc, ca }));
}

/** Test seams for in-process runs: the HTTP layer and the time (a util/time.ts Clock, seconds). */
export interface CollateralCliDeps {
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
  readonly stdout?: (text: string) => void;
}

const FETCH_SPEC: CommandSpec = {
  name: 'collateral fetch',
  summary: 'Fetch collateral from Intel PCS (default) or a PCCS, verify it, and write the offline bundle DIR/<tee>-<fmspc>-<ca>.json.',
  synopsis: '(--quote FILE | --fmspc HEX --tee sgx|tdx --ca platform|processor) --out DIR [--pccs URL] [options]',
  options: [
    { name: 'quote', value: 'FILE', help: 'take TEE, FMSPC and PCK CA from this quote (binary or hex)' },
    { name: 'fmspc', value: 'HEX', help: 'FMSPC (12 hex digits), with --tee and --ca' },
    { name: 'tee', value: 'sgx|tdx', help: 'TEE type, with --fmspc' },
    { name: 'ca', value: 'platform|processor', help: 'PCK CA, with --fmspc' },
    { name: 'update', value: 'standard|early', help: 'TCB update type (default: the server default, standard)' },
    { name: 'out', value: 'DIR', help: 'directory to write the bundle to (required)' },
    ...ONLINE_OPTIONS,
    { name: 'root', value: 'FILE', help: 'trust anchor: CA certificate (PEM/DER) or hex P-256 point (default: Intel SGX Root CA)' },
    { name: 'at', value: 'TIME', help: `verify the bundle at this time (default now): ${AT_FORMS}` },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `Use the bundle with: verify --collateral DIR (or --collateral DIR/<file>.json).
JSON: {ok, path, request, source, validUntil, error}.
Exit 0: written; 2: fetch or verification failed (nothing written); 1: usage error.`,
};

async function runFetch(args: ParsedCommand, io: Pick<CliIo, 'stdout' | 'stderr' | 'stderrIsTTY'>, deps: CollateralCliDeps): Promise<number> {
  const out = args.values.get('out');
  if (out === undefined) throw usage('--out DIR is required', '--out');
  const json = args.flags.has('json');
  const at = parseAtArg(args.values.get('at'), () => readClock(deps.clock ?? systemClock, 'cli'));
  const rootPath = args.values.get('root');
  const rootCaCrl = parseRootCaCrl(args.values.get('root-ca-crl'));
  const timeoutMs = parseTimeout(args.values.get('timeout'));
  const pccs = args.values.get('pccs');
  const insecure = args.flags.has('insecure-http');
  checkPccsUrl(pccs, insecure);
  const apiKey = args.values.get('api-key');
  const request = requestFromArgs(args.values);
  const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);

  try {
    const { withCliFetch, pcsSource } = await import('./collateral-online.js');
    const { verifyCollateralBundle } = await import('../sources/dcap/verify-bundle.js');
    const { writeBundleFile } = await import('../node/directory-source.js');
    const online = {
      ...(pccs !== undefined ? { pccs } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(rootCaCrl !== undefined ? { rootCaCrl } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(insecure ? { allowInsecureHttp: true } : {}),
      ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
      ...(io.stderrIsTTY ? { progress: (l: string) => io.stderr(`${l}\n`) } : {}),
      clock: clockAt(at),
    };
    const { bundle, validUntil, path } = await withCliFetch(online, async (fetch) => {
      const b = await pcsSource(fetch, online).getCollateral(request);
      const v = await verifyCollateralBundle(b, { at, ...(rootPublicKey !== undefined ? { rootPublicKey } : {}) });
      return { bundle: b, validUntil: v.validUntil, path: await writeBundleFile(out, b) };
    });
    if (json) {
      io.stdout(JSON.stringify({ ok: true, path, request: bundle.request, source: bundle.metadata.source, validUntil, error: null }) + '\n');
    } else {
      const r = bundle.request;
      io.stdout(
        `wrote ${path}\n  ${r.teeType} FMSPC ${r.fmspc} ${r.ca} CA${r.update ? ` (${r.update})` : ''} from ${bundle.metadata.source}\n` +
          `  verified; valid until ${isoFromSeconds(validUntil)}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (!isAttestationError(e) || e.kind === 'usage') throw e;
    const error = errorJson(e);
    io.stdout(json ? JSON.stringify({ ok: false, path: null, request, error }) + '\n' : `FAILED  ${error.code}: ${error.message}\n`);
    return 2;
  }
}

export const collateralFetchCli: CliCommand = {
  spec: FETCH_SPEC,
  run: (args, io) => runFetch(args, io, { clock: () => io.now() }),
};

const VERIFY_SPEC: CommandSpec = {
  name: 'collateral verify',
  summary: 'Verify collateral bundles (a file, or every *.json in a directory): signatures, chains, CRLs and validity at --at.',
  synopsis: 'FILE|DIR [--at TIME] [--root FILE] [--json]',
  positionals: { name: 'FILE|DIR', min: 1, max: 1 },
  options: [
    { name: 'at', value: 'TIME', help: `verification time (default now): ${AT_FORMS}` },
    { name: 'root', value: 'FILE', help: 'trust anchor: CA certificate (PEM/DER) or hex P-256 point (default: Intel SGX Root CA)' },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `JSON: {ok, at, bundles: [{path, ok, request, source, validFrom, validUntil, error}]}.
Exit 0: every bundle verified; 2: at least one failed; 1: usage error.`,
};

interface BundleCheck {
  readonly path: string;
  readonly ok: boolean;
  readonly request: CollateralRequest | null;
  readonly source: string | null;
  readonly validFrom: number | null;
  readonly validUntil: number | null;
  readonly error: ReturnType<typeof errorJson> | null;
}

async function runVerifyBundles(args: ParsedCommand, io: CliIo): Promise<number> {
  const target = args.positionals[0]!;
  const json = args.flags.has('json');
  const at = parseAtArg(args.values.get('at'), io.now);
  const rootPath = args.values.get('root');
  const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);
  let files: string[];
  if (isDirectory(target)) {
    files = readdirSync(target)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(target, f));
    if (files.length === 0) throw usage(`${target}: no *.json bundle files`, 'FILE|DIR');
  } else {
    files = [target];
  }
  const { verifyCollateralBundle } = await import('../sources/dcap/verify-bundle.js');
  const results: BundleCheck[] = [];
  for (const path of files) {
    const bytes = readFileOrUsage(path, 'bundle');
    try {
      const b = parseBundle(bytes);
      try {
        const v = await verifyCollateralBundle(b, { at, ...(rootPublicKey !== undefined ? { rootPublicKey } : {}) });
        results.push({ path, ok: true, request: b.request, source: b.metadata.source, validFrom: v.validFrom, validUntil: v.validUntil, error: null });
      } catch (e) {
        if (!isAttestationError(e)) throw e;
        results.push({ path, ok: false, request: b.request, source: b.metadata.source, validFrom: null, validUntil: null, error: errorJson(e) });
      }
    } catch (e) {
      if (!isAttestationError(e)) throw e;
      results.push({ path, ok: false, request: null, source: null, validFrom: null, validUntil: null, error: errorJson(e) });
    }
  }
  const ok = results.every((r) => r.ok);
  if (json) {
    io.stdout(JSON.stringify({ ok, at, bundles: results }) + '\n');
  } else {
    for (const r of results) {
      const what = r.request === null ? '' : `  ${r.request.teeType} FMSPC ${r.request.fmspc} ${r.request.ca} CA${r.request.update ? ` (${r.request.update})` : ''}`;
      io.stdout(
        r.ok
          ? `ok      ${r.path}\n${what}\n  valid ${isoFromSeconds(r.validFrom!)} .. ${isoFromSeconds(r.validUntil!)}; source ${r.source}\n`
          : `FAILED  ${r.path}\n${what ? `${what}\n` : ''}  ${r.error!.code}: ${r.error!.message}\n`,
      );
    }
    io.stdout(`${results.filter((r) => r.ok).length} of ${results.length} bundle(s) verified at ${isoFromSeconds(at)}\n`);
  }
  return ok ? 0 : 2;
}

export const collateralVerifyCli: CliCommand = { spec: VERIFY_SPEC, run: runVerifyBundles };

/**
 * In-process entry for tests and embedding: `collateral fetch …` with
 * injected HTTP and clock. `argv` starts with 'collateral'.
 */
export async function collateralCommand(argv: readonly string[], deps: CollateralCliDeps = {}): Promise<number> {
  const [, sub, ...rest] = argv;
  if (sub !== 'fetch') throw usage(sub === undefined ? 'collateral: missing subcommand (fetch | verify)' : `collateral: unknown subcommand ${sub}`);
  const args = parseCommand(FETCH_SPEC, rest);
  const stdout = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  return runFetch(args, { stdout, stderr: () => undefined, stderrIsTTY: false }, deps);
}

