/**
 * `dcap verify --quote FILE --collateral FILE --at T [--root FILE] [--json]`.
 * Output contract (stable, used by acceptance checks): with --json one JSON
 * object {ok, status, advisoryIds, error: {code, message} | null, claims};
 * exit 0 when verification succeeded (whatever the status), 2 on a
 * verification error, 1 on a usage error.
 */
import { AttestationError, isAttestationError } from '../errors.js';
import { verifyQuote, type VerifyQuoteOptions } from '../verify/verify-quote.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { CollateralInput } from '../collateral/input.js';
import { decodeBinaryOrHex, loadRootKey, readFileOrUsage } from './io.js';
import { parseArgs, usage } from './args.js';
import { collateralForVerify, VERIFY_COLLATERAL_FLAG_OPTIONS, VERIFY_COLLATERAL_VALUE_OPTIONS } from './collateral-command.js';

export interface VerifyOutput {
  readonly ok: boolean;
  readonly status: string | null;
  readonly advisoryIds: readonly string[];
  readonly error: { code: string; kind: string; message: string; evidence?: unknown } | null;
  readonly claims: Record<string, unknown> | null;
}

export function claimsOf(v: VerifiedQuote): Record<string, unknown> {
  const { quote: _quote, ...claims } = v;
  return { ...claims, trailingBytes: v.quote.trailingBytes };
}

export function errorOf(e: AttestationError): NonNullable<VerifyOutput['error']> {
  return { code: e.code, kind: e.kind, message: e.message, ...(e.evidence ? { evidence: e.evidence } : {}) };
}

export async function runVerify(
  quote: Uint8Array,
  collateral: CollateralInput,
  options: VerifyQuoteOptions,
): Promise<VerifyOutput> {
  try {
    const v = await verifyQuote(quote, collateral, options);
    return { ok: true, status: v.status, advisoryIds: v.advisoryIds, error: null, claims: claimsOf(v) };
  } catch (e) {
    if (!isAttestationError(e)) throw e;
    return { ok: false, status: null, advisoryIds: [], error: errorOf(e), claims: null };
  }
}

function summary(out: VerifyOutput): string {
  if (!out.ok) {
    const ev = out.error?.evidence as { check?: string; field?: string; expected?: string; found?: string } | undefined;
    const lines = [`FAILED  ${out.error!.code}: ${out.error!.message}`];
    if (ev?.check) lines.push(`  check:    ${ev.check}${ev.field ? ` (${ev.field})` : ''}`);
    if (ev?.expected !== undefined) lines.push(`  expected: ${ev.expected}`);
    if (ev?.found !== undefined) lines.push(`  found:    ${ev.found}`);
    return lines.join('\n');
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
  return lines.join('\n');
}

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(
    argv,
    ['quote', 'collateral', 'at', 'root', 'trailing-bytes', ...VERIFY_COLLATERAL_VALUE_OPTIONS],
    ['json', 'allow-trailing-bytes', ...VERIFY_COLLATERAL_FLAG_OPTIONS],
  );
  const json = args.flags.has('json');
  const need = (k: string): string => {
    const v = args.values.get(k);
    if (v === undefined) throw usage(`--${k} is required`);
    return v;
  };
  const quotePath = need('quote');
  if (!args.values.has('collateral') && !args.values.has('pccs')) throw usage('--collateral or --pccs is required');
  const at = need('at');
  const trailing = args.flags.has('allow-trailing-bytes') ? 'any' : (args.values.get('trailing-bytes') ?? 'zeros');
  if (trailing !== 'reject' && trailing !== 'zeros' && trailing !== 'any') throw usage('--trailing-bytes is reject | zeros | any');
  const rootPath = args.values.get('root');

  let out: VerifyOutput;
  try {
    const quote = decodeBinaryOrHex(readFileOrUsage(quotePath, 'quote'));
    const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);
    const collateral = await collateralForVerify(args.values, args.flags, quote, {
      trailingBytes: trailing,
      ...(rootPublicKey ? { rootPublicKey } : {}),
    });
    out = await runVerify(quote, collateral, {
      at,
      trailingBytes: trailing,
      ...(rootPublicKey ? { rootPublicKey } : {}),
    });
  } catch (e) {
    if (e instanceof AttestationError && e.kind !== 'usage') {
      out = { ok: false, status: null, advisoryIds: [], error: errorOf(e), claims: null };
    } else {
      throw e;
    }
  }
  if (out.error?.kind === 'usage') throw usage(out.error.message);
  process.stdout.write((json ? JSON.stringify(out) : summary(out)) + '\n');
  return out.ok ? 0 : 2;
}
