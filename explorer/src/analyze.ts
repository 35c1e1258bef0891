/**
 * One run of the explorer: parse the quote (and collateral) for display, run
 * `verifyQuote` exactly as a caller would, and turn its result or error into
 * per-step results (checks.ts). On success the TCB evaluation is replayed with
 * the library's own evaluator on the same verified inputs, only to show which
 * TCB Info levels matched.
 */
import {
  AttestationError,
  parseCollateral,
  parseQuote,
  verifyQuote,
  type Collateral,
  type CollateralInput,
  type Quote,
  type VerifiedQuote,
} from '../../src/index.js';
import { parseChain } from '../../src/collateral/parse.js';
import { evaluateTcb, type TcbEvaluation } from '../../src/tcb/evaluate.js';
import { checkQeIdentity } from '../../src/tcb/qe-identity-check.js';
import type { Certificate } from '../../src/x509/certificate.js';
import { toUnixSeconds } from '../../src/lib/time.js';
import { stepResults, STEPS, type ErrorLike, type StepResult } from './checks.js';

export interface AnalyzeInput {
  readonly quote: Uint8Array;
  readonly collateral?: CollateralInput;
  /** Verification time (unix seconds, RFC 3339 or Date). */
  readonly at: number | string | Date;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Trust anchor override (a test root); default the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
}

export interface Analysis {
  readonly at?: number;
  readonly quote?: Quote;
  readonly collateral?: Collateral;
  readonly pckChain?: readonly Certificate[];
  readonly steps: readonly StepResult[];
  readonly result?: VerifiedQuote;
  readonly error?: ErrorLike;
  readonly tcb?: TcbEvaluation;
  /** Where the analysis stopped short of a verdict: no collateral given. */
  readonly parsedOnly: boolean;
}

function asErrorLike(e: unknown): ErrorLike {
  if (e instanceof AttestationError) {
    return { code: e.code, kind: e.kind, message: e.message, ...(e.evidence ? { evidence: { ...e.evidence } } : {}) };
  }
  return { code: 'Unexpected', kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

function pckChainFor(quote: Quote, collateral: Collateral | undefined): Certificate[] | undefined {
  const cd = quote.signatureData.certificationData;
  try {
    if (cd.type === 5 && cd.pemChain !== undefined) return parseChain(cd.pemChain);
  } catch {
    return undefined;
  }
  return collateral?.pckChain ? [...collateral.pckChain] : undefined;
}

export async function analyze(input: AnalyzeInput): Promise<Analysis> {
  // An invalid time is the caller's input error (InvalidArgument), thrown to the page.
  const at = toUnixSeconds(input.at);
  let quote: Quote;
  try {
    quote = parseQuote(input.quote, { trailingBytes: input.trailingBytes ?? 'zeros' });
  } catch (e) {
    const err = asErrorLike(e);
    return { at, steps: stepResults({ failure: err, failedStep: 'quote.parse' }), error: err, parsedOnly: false };
  }
  const teeType = quote.header.teeType;
  if (input.collateral === undefined) {
    return { at, quote, pckChain: pckChainFor(quote, undefined), steps: stepResults({ teeType, stopAfter: 'quote.parse' }), parsedOnly: true };
  }
  let collateral: Collateral;
  try {
    collateral = parseCollateral(input.collateral);
  } catch (e) {
    const err = asErrorLike(e);
    const steps = stepResults({ teeType, failure: err, failedStep: 'collateral.parse' });
    return { at, quote, pckChain: pckChainFor(quote, undefined), steps, error: err, parsedOnly: false };
  }
  const pckChain = pckChainFor(quote, collateral);
  try {
    const result = await verifyQuote(input.quote, input.collateral, {
      at,
      ...(input.trailingBytes ? { trailingBytes: input.trailingBytes } : {}),
      ...(input.rootPublicKey ? { rootPublicKey: input.rootPublicKey } : {}),
    });
    let tcb: TcbEvaluation | undefined;
    try {
      const body = quote.body;
      tcb = evaluateTcb(collateral.tcbInfo.info, {
        teeType,
        quoteVersion: quote.version,
        pckComponents: result.pck.tcbComponents,
        pckPcesvn: result.pck.pcesvn,
        ...(body.kind !== 'sgx' ? { teeTcbSvn: body.teeTcbSvn } : {}),
        ...(body.kind === 'td15' || body.kind === 'td15ex' ? { teeTcbSvn2: body.teeTcbSvn2 } : {}),
        qe: checkQeIdentity(collateral.qeIdentity.identity, teeType, quote.signatureData.qeReport),
      });
    } catch {
      tcb = undefined;
    }
    return { at, quote, collateral, ...(pckChain ? { pckChain } : {}), steps: stepResults({ teeType, passed: result.checks }), result, ...(tcb ? { tcb } : {}), parsedOnly: false };
  } catch (e) {
    const err = asErrorLike(e);
    // A parse failure inside verifyQuote (quote and collateral parsed above) is the PCK chain text.
    const check = typeof err.evidence?.check === 'string' ? err.evidence.check : '';
    const known = STEPS.some((s, i) => i > 1 && s.owns(check, err.code));
    const steps = stepResults({ teeType, failure: err, ...(!known && err.kind === 'parse' ? { failedStep: 'pck.chain' } : {}) });
    return { at, quote, collateral, ...(pckChain ? { pckChain } : {}), steps, error: err, parsedOnly: false };
  }
}
