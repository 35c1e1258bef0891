/**
 * The implementation of `tee-attest verify` (its options: verify-command.ts).
 * `tee-attest verify --quote FILE (--collateral FILE|DIR | --pccs URL [--cache DIR]) [--at TIME] [--root FILE] [--json]`.
 *
 * Output contract (stable, used by acceptance checks): with --json one JSON
 * object {ok, status, advisoryIds, error: {code, kind, message, evidence?} | null,
 * claims, collateral: {kind, source, cache, validUntil, …}}; exit 0 when
 * verification succeeded (whatever the TCB status), 2 on a verification
 * error, 1 on a usage error. See docs/cli.md.
 */
import { AttestationError, isAttestationError } from '../errors.js';
import { verifyQuote, type VerifyQuoteOptions } from '../verify/verify-quote.js';
import { nodeBackend } from '../crypto/node.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import { isoFromSeconds } from '../lib/time.js';
import { choice, required, usage, type ParsedCommand } from './args.js';
import { checkPccsUrl, parseRootCaCrl, parseTimeout } from './online-options.js';
import { checkCollateralMatchesQuote, parseForVerify } from './collateral-match.js';
import { isDirectory, readCollateralFile, resolveCollateralForVerify, type CollateralOrigin, type ResolvedCollateral } from './collateral-resolve.js';
import { decodeBinaryOrHex, loadRootKey, readFileOrUsage } from './io.js';
import { errorJson, type ErrorJson } from './output.js';
import type { CliIo } from './registry.js';
import { clockAt, parseAtArg } from './time-arg.js';

export interface VerifyOutput {
  readonly ok: boolean;
  readonly status: string | null;
  readonly advisoryIds: readonly string[];
  readonly error: ErrorJson | null;
  readonly claims: Record<string, unknown> | null;
}

export interface VerifyCliOutput extends VerifyOutput {
  /** Where the collateral came from and its cache status (null when it could not be obtained). */
  readonly collateral: CollateralOrigin | null;
}

export function claimsOf(v: VerifiedQuote): Record<string, unknown> {
  const { quote: _quote, ...claims } = v;
  return { ...claims, trailingBytes: v.quote.trailingBytes };
}

export function errorOf(e: AttestationError): ErrorJson {
  return errorJson(e);
}

export async function runVerify(quote: Uint8Array | Quote, collateral: CollateralInput | Collateral, options: VerifyQuoteOptions): Promise<VerifyOutput> {
  try {
    // The CLI runs on Node: node:crypto verifies synchronously and loads no
    // pure-JS curve code (process start, issue #15).
    const v = await verifyQuote(quote, collateral, options.crypto === undefined ? { ...options, crypto: nodeBackend() } : options);
    return { ok: true, status: v.status, advisoryIds: v.advisoryIds, error: null, claims: claimsOf(v) };
  } catch (e) {
    if (!isAttestationError(e)) throw e;
    return { ok: false, status: null, advisoryIds: [], error: errorOf(e), claims: null };
  }
}

export function describeOrigin(o: CollateralOrigin): string {
  const from =
    o.kind === 'pccs'
      ? `${o.source}${o.cacheDir === undefined ? ' (no cache)' : ` (via cache ${o.cacheDir}: ${o.cache})`}`
      : o.kind === 'directory'
        ? `bundle directory ${o.source}`
        : o.kind === 'bundle-file'
          ? `bundle file ${o.source}`
          : `file ${o.source}`;
  const until = o.validUntil === null ? '' : `; valid until ${isoFromSeconds(o.validUntil)}`;
  return `collateral: ${from}${o.kind !== 'pccs' ? ' (no cache)' : ''}${until}`;
}

function summary(out: VerifyCliOutput): string {
  const origin = out.collateral === null ? [] : [`  ${describeOrigin(out.collateral)}`];
  if (!out.ok) {
    const ev = out.error?.evidence as { check?: string; field?: string; expected?: string; found?: string } | undefined;
    const lines = [`FAILED  ${out.error!.code}: ${out.error!.message}`];
    if (ev?.check) lines.push(`  check:    ${ev.check}${ev.field ? ` (${ev.field})` : ''}`);
    if (ev?.expected !== undefined) lines.push(`  expected: ${ev.expected}`);
    if (ev?.found !== undefined) lines.push(`  found:    ${ev.found}`);
    return [...lines, ...origin].join('\n');
  }
  const c = out.claims as unknown as VerifiedQuote;
  const r = c.report;
  const lines = [
    `VERIFIED  ${c.teeType} quote v${c.quoteVersion}: TCB status ${c.status}`,
    `  advisories: ${c.advisoryIds.length ? c.advisoryIds.join(', ') : '(none)'}`,
    `  tcbDate:    ${c.tcbDate}  platform ${c.platformStatus}, QE ${c.qeStatus}${c.moduleStatus ? `, module ${c.moduleIdentity} ${c.moduleStatus}` : ''}`,
    `  FMSPC ${c.fmspc}  PCE-ID ${c.pceId}  PCK ${c.pck.ca} CA, PCESVN ${c.pck.pcesvn}`,
  ];
  if (r.kind === 'sgx') {
    lines.push(`  MRENCLAVE ${r.mrEnclave}`, `  MRSIGNER  ${r.mrSigner}  ISVPRODID ${r.isvProdId} ISVSVN ${r.isvSvn}  debug ${r.debug}`);
  } else {
    lines.push(`  MRTD  ${r.mrTd}`, `  RTMR0 ${r.rtmr0}`, `  RTMR1 ${r.rtmr1}`, `  RTMR2 ${r.rtmr2}`, `  RTMR3 ${r.rtmr3}`);
    lines.push(`  debug ${r.debug}  SEPT_VE_DISABLE ${r.septVeDisable}`);
  }
  lines.push(`  REPORTDATA ${r.reportData}`);
  lines.push(`  verified at ${isoFromSeconds(c.verifiedAt)}; collateral expires ${isoFromSeconds(c.collateralExpiresAt)}`);
  return [...lines, ...origin].join('\n');
}

async function collateralFor(args: ParsedCommand, io: CliIo, quote: Uint8Array, at: number, trailing: 'reject' | 'zeros' | 'any', rootPublicKey: Uint8Array | undefined): Promise<ResolvedCollateral> {
  const collateral = args.values.get('collateral');
  const pccs = args.values.get('pccs');
  const insecure = args.flags.has('insecure-http');
  if (pccs === undefined) {
    for (const o of ['cache', 'api-key', 'root-ca-crl', 'timeout']) if (args.values.has(o)) throw usage(`--${o} needs --pccs`, `--${o}`);
    if (insecure) throw usage('--insecure-http needs --pccs', '--insecure-http');
  }
  checkPccsUrl(pccs, insecure);
  if (collateral !== undefined && !isDirectory(collateral)) {
    if (pccs !== undefined) throw usage('with --pccs, --collateral must be a bundle directory', '--collateral');
    return readCollateralFile(collateral);
  }
  const cacheDir = args.values.get('cache');
  const apiKey = args.values.get('api-key');
  const rootCaCrl = parseRootCaCrl(args.values.get('root-ca-crl'));
  const timeoutMs = parseTimeout(args.values.get('timeout'));
  const b = await resolveCollateralForVerify({
    quote,
    trailingBytes: trailing,
    ...(collateral !== undefined ? { collateralDir: collateral } : {}),
    ...(pccs !== undefined ? { pccs } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(rootCaCrl !== undefined ? { rootCaCrl } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(insecure ? { allowInsecureHttp: true } : {}),
    ...(rootPublicKey !== undefined ? { rootPublicKey } : {}),
    ...(io.stderrIsTTY ? { progress: (l: string) => io.stderr(`${l}\n`) } : {}),
    clock: clockAt(at),
  });
  return { collateral: b.collateral, origin: b.origin };
}

/** `verify` itself (verify-command.ts loads this module when the command runs). */
export async function runVerifyCommand(args: ParsedCommand, io: CliIo): Promise<number> {
  const json = args.flags.has('json');
  const quotePath = required(args, 'quote');
  if (!args.values.has('collateral') && !args.values.has('pccs')) throw usage('--collateral FILE|DIR or --pccs URL is required', '--collateral');
  const at = parseAtArg(args.values.get('at'), io.now);
  const trailing = args.flags.has('allow-trailing-bytes') ? 'any' : (choice(args, 'trailing-bytes', ['reject', 'zeros', 'any'] as const) ?? 'zeros');
  const rootPath = args.values.get('root');
  const quote = decodeBinaryOrHex(readFileOrUsage(quotePath, 'quote'));
  const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);

  let out: VerifyCliOutput;
  let origin: CollateralOrigin | null = null;
  try {
    const resolved = await collateralFor(args, io, quote, at, trailing, rootPublicKey);
    origin = resolved.origin;
    // Parsed once for the match check and the verification (process start, issue #15).
    const parsed = parseForVerify(quote, resolved.collateral, trailing);
    const bundleRequest = origin.request;
    const checkMatch = (): void =>
      checkCollateralMatchesQuote(parsed.quote, parsed.collateral, {
        trailingBytes: trailing,
        source: origin!.source,
        ...(bundleRequest !== undefined ? { bundleRequest } : {}),
      });
    // A bundle's label (TEE, FMSPC, CA) is checked before verifying. Collateral
    // known by its content only is checked when the verification fails, to
    // name the mismatch: a verification that succeeds has compared the TCB
    // Info's id and FMSPC with the quote and the PCK CRL's issuer with the PCK
    // certificate's (4.1.2.5.7), which is all the check looks at.
    if (bundleRequest !== undefined) checkMatch();
    const v = await runVerify(parsed.quote, parsed.collateral, { at, trailingBytes: trailing, ...(rootPublicKey ? { rootPublicKey } : {}) });
    if (!v.ok && bundleRequest === undefined) checkMatch();
    if (v.error?.kind === 'usage') throw usage(v.error.message);
    if (v.ok && origin.validUntil === null) origin = { ...origin, validUntil: (v.claims as unknown as VerifiedQuote).collateralExpiresAt };
    out = { ...v, collateral: origin };
  } catch (e) {
    if (!(e instanceof AttestationError) || e.kind === 'usage') throw e;
    out = { ok: false, status: null, advisoryIds: [], error: errorOf(e), claims: null, collateral: origin };
  }
  io.stdout((json ? JSON.stringify(out) : summary(out)) + '\n');
  return out.ok ? 0 : 2;
}

