/**
 * Messages between a VerifierPool and its worker threads, and how coded
 * errors cross the thread boundary (structured clone keeps data, not classes:
 * the error's name, code, message and evidence travel and are rebuilt as the
 * same AttestationError subclass on the caller's side).
 */
import { AttestationError, ErrorCodes, type ErrorCode, type Evidence, attestationError } from '../errors.js';
import { COLLATERAL_JSON_FIELDS, PCS_COLLATERAL_FIELDS, sameCollateralFields, type CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { EncodedResults } from './codec.js';

/** What a worker needs to build its verifier (all structured-cloneable). */
export interface WorkerSetup {
  readonly backend: 'node' | 'webcrypto' | 'noble';
  /** The pool's perWorker: the worker replies once half of that many results are ready (the pool refills meanwhile). */
  readonly perWorker: number;
  readonly rootPublicKey?: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  readonly cache?: { maxSignatures?: number; maxChains?: number; maxCollateral?: number };
}

export interface TaskMessage {
  readonly id: number;
  readonly quote: Uint8Array | Quote;
  /** Absent when `collateralRef` names a collateral this worker already holds. */
  readonly collateral?: CollateralInput | Collateral;
  /** A collateral snapshot the worker keeps under this number (with `collateral`) or already keeps (without). */
  readonly collateralRef?: number;
  readonly at: number;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /**
   * The pool keeps its own copy of these quote bytes and parses it itself:
   * the reply leaves out `result.quote` (cloning the parsed quote's many views
   * cost about as much as the verification).
   */
  readonly omitQuote?: boolean;
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

/**
 * Tasks travel in batches: one postMessage for the tasks the pool sends a
 * worker at once, run in order. Their numbers go in one Float64Array, moved
 * (per task the TaskField offsets below); `quotes` are the pool's private
 * copies of their quote bytes, copied by the message (the pool keeps its own,
 * from which it parses `result.quote`); `extra` holds, by task index, what is
 * not a number: a moved or parsed quote, a collateral sent in full. Replies
 * travel in batches too: one message for the results a worker has ready.
 * Results made of plain data travel encoded (codec.ts); the others (errors,
 * results holding a parsed quote) travel as ReplyMessages.
 */
export interface TaskBatch {
  readonly meta: Float64Array;
  readonly quotes: readonly Uint8Array[];
  readonly extra: Readonly<Record<number, TaskExtra>>;
}
export interface TaskExtra {
  readonly quote?: Uint8Array | Quote;
  readonly collateral?: CollateralInput | Collateral;
}
/** Where each number of a task lies in its TASK_FIELDS slots of `TaskBatch.meta`. */
export const TaskField = {
  id: 0,
  at: 1,
  /** Index in `quotes`, or -1 (the quote is in `extra`). */
  quote: 2,
  /** Collateral reference, or -1 (the collateral is in `extra`, sent as is). */
  collateralRef: 3,
  /** OMIT_QUOTE and the trailingBytes code. */
  flags: 4,
} as const;
export const TASK_FIELDS = 5;
/** Flags: the reply leaves out `result.quote` (TaskMessage.omitQuote); bits 1-2: the call's trailingBytes. */
export const OMIT_QUOTE = 1;
const TRAILING_CODES = [undefined, 'reject', 'zeros', 'any'] as const;
export function trailingCode(t: 'reject' | 'zeros' | 'any' | undefined): number {
  return TRAILING_CODES.indexOf(t) << 1;
}
export function trailingOf(flags: number): 'reject' | 'zeros' | 'any' | undefined {
  return TRAILING_CODES[(flags >> 1) & 3];
}

/** One task of a batch, as the worker reads it. */
export function taskOf(batch: TaskBatch, i: number): TaskMessage {
  const m = i * TASK_FIELDS;
  const meta = batch.meta;
  const x = batch.extra[i];
  const q = meta[m + TaskField.quote]!;
  const ref = meta[m + TaskField.collateralRef]!;
  const flags = meta[m + TaskField.flags]!;
  const trailingBytes = trailingOf(flags);
  return {
    id: meta[m + TaskField.id]!,
    quote: q >= 0 ? batch.quotes[q]! : x!.quote!,
    at: meta[m + TaskField.at]!,
    ...(x?.collateral === undefined ? {} : { collateral: x.collateral }),
    ...(ref >= 0 ? { collateralRef: ref } : {}),
    ...(trailingBytes === undefined ? {} : { trailingBytes }),
    ...((flags & OMIT_QUOTE) !== 0 ? { omitQuote: true } : {}),
  };
}

export interface ReplyBatch {
  readonly results?: EncodedResults;
  readonly other?: readonly ReplyMessage[];
}

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
    return attestationError('VerifierUnavailable', `verifier pool worker failed: ${w.message}`, { check: 'pool.worker' });
  }
  // The class follows from the code (errors.ts attestationError), whatever name crossed the thread.
  return attestationError(code, w.message, w.evidence);
}

/** A collateral input's fields (collateral/input.ts, in that order), read once. */
export interface CollateralSnapshot {
  readonly json: boolean;
  /** Private copies (strings are immutable; byte fields were copied). */
  readonly values: readonly (string | Uint8Array | undefined)[];
}

/** Each field read once per call, into this scratch list (reused: no allocation when the snapshot is the previous one). */
const scratch: (string | Uint8Array | undefined)[] = [];

/**
 * A collateral input's fields read once (byte fields copied), or undefined
 * for anything else (sent as is). When every field has the same content as
 * `previous` (strings by value, bytes byte for byte, never by identity of the
 * input object), `previous` itself is returned.
 */
export function collateralSnapshot(c: unknown, previous?: CollateralSnapshot): CollateralSnapshot | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  const o = c as Record<string, unknown>;
  const json = 'tcb_info' in o;
  if (!json && !('tcbInfo' in o)) return undefined;
  if (!json && typeof o['tcbInfo'] === 'object' && !(o['tcbInfo'] instanceof Uint8Array)) return undefined; // parsed Collateral
  const fields = json ? COLLATERAL_JSON_FIELDS : PCS_COLLATERAL_FIELDS;
  scratch.length = 0;
  for (let i = 0; i < fields.length; i++) {
    const v = o[fields[i]!];
    if (v !== undefined && typeof v !== 'string' && !(v instanceof Uint8Array)) {
      scratch.length = 0;
      return undefined;
    }
    scratch.push(v);
  }
  if (previous !== undefined && previous.json === json && sameCollateralFields(previous.values, scratch)) {
    scratch.length = 0;
    return previous;
  }
  const values = scratch.map((v) => (v instanceof Uint8Array ? v.slice() : v));
  scratch.length = 0;
  return { json, values };
}

/** The snapshot as a collateral input object again. */
export function collateralFromSnapshot(s: { json: boolean; values: readonly (string | Uint8Array | undefined)[] }): CollateralInput {
  const out: Record<string, string | Uint8Array> = {};
  (s.json ? COLLATERAL_JSON_FIELDS : PCS_COLLATERAL_FIELDS).forEach((f, i) => {
    const v = s.values[i];
    if (v !== undefined) out[f] = v;
  });
  return out as unknown as CollateralInput;
}
