/**
 * Messages between a VerifierPool and its worker threads, and how coded
 * errors cross the thread boundary (structured clone keeps data, not classes:
 * the error's name, code, message and evidence travel and are rebuilt as the
 * same AttestationError subclass on the caller's side).
 */
import { AttestationError, ErrorCodes, ParseError, PolicyError, VerifyError, type ErrorCode, type Evidence } from '../errors.js';
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import type { VerifiedQuote } from '../verify/result.js';

/** What a worker needs to build its verifier (all structured-cloneable). */
export interface WorkerSetup {
  readonly backend: 'node' | 'webcrypto' | 'noble';
  readonly rootPublicKey?: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  readonly cache?: { maxSignatures?: number; maxChains?: number; maxCollateral?: number };
}

export interface TaskMessage {
  readonly id: number;
  readonly quote: Uint8Array | Quote;
  readonly collateral: CollateralInput | Collateral;
  readonly at: number;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
}

export interface WireError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly evidence?: Evidence;
}

export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly result: VerifiedQuote }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export function toWire(e: unknown): WireError {
  if (e instanceof AttestationError) {
    return { name: e.name, code: e.code, message: e.message, ...(e.evidence === undefined ? {} : { evidence: e.evidence }) };
  }
  return { name: 'Error', message: e instanceof Error ? e.message : String(e) };
}

/** The coded error again; anything uncoded becomes VerifierUnavailable (never a raw Error). */
export function fromWire(w: WireError): AttestationError {
  const code = w.code !== undefined && w.code in ErrorCodes ? (w.code as ErrorCode) : undefined;
  if (code === undefined) {
    return new AttestationError('VerifierUnavailable', `verifier pool worker failed: ${w.message}`, { check: 'pool.worker' });
  }
  switch (w.name) {
    case 'ParseError':
      return new ParseError(code, w.message, w.evidence);
    case 'VerifyError':
      return new VerifyError(code, w.message, w.evidence);
    case 'PolicyError':
      return new PolicyError([{ code, message: w.message, ...(w.evidence === undefined ? {} : { evidence: w.evidence }) }]);
    default:
      return new AttestationError(code, w.message, w.evidence);
  }
}
