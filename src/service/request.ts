/**
 * The attest request body (Intel Trust Authority appraisal v2 shape, as
 * IntelApiVerifier sends it), validated strictly:
 *
 *   { "tdx" | "sgx": { "quote": b64, "runtime_data"?: b64, "user_data"?: b64,
 *                      "verifier_nonce"?: { "val": b64, "iat": b64, "signature": b64 } },
 *     "policy_ids"?: [string], "policy_must_match"?: bool, "token_signing_alg"?: "PS384" | "ES256" }
 *
 * Anything else is a 400 with a reason; nothing here is trusted yet.
 */
import { SERVICE_TOKEN_ALGORITHMS, type ServiceTokenAlgorithm } from './signing-keys.js';

export interface AttestRequest {
  readonly teeType: 'TDX' | 'SGX';
  readonly quote: Uint8Array;
  readonly runtimeData?: Uint8Array;
  readonly userData?: Uint8Array;
  readonly nonce?: { readonly val: Uint8Array; readonly iat: Uint8Array; readonly signature: Uint8Array; readonly raw: { val: string; iat: string } };
  readonly policyIds: readonly string[];
  readonly policyMustMatch: boolean;
  readonly alg: ServiceTokenAlgorithm;
}

export class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function b64(v: unknown, field: string, maxBytes: number): Uint8Array {
  if (typeof v !== 'string' || v.length === 0 || v.length > Math.ceil(maxBytes / 3) * 4 + 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
    throw new BadRequest(400, 'invalid_request', `${field} must be standard base64 of at most ${maxBytes} bytes`);
  }
  return new Uint8Array(Buffer.from(v, 'base64'));
}

export function parseAttestRequest(doc: unknown): AttestRequest {
  if (!isObject(doc)) throw new BadRequest(400, 'invalid_request', 'body must be a JSON object');
  for (const k of Object.keys(doc)) {
    if (!['tdx', 'sgx', 'policy_ids', 'policy_must_match', 'token_signing_alg'].includes(k)) {
      throw new BadRequest(400, 'invalid_request', `unknown field ${k.slice(0, 40)}`);
    }
  }
  if ((doc.tdx === undefined) === (doc.sgx === undefined)) throw new BadRequest(400, 'invalid_request', 'give exactly one of tdx, sgx');
  const teeType = doc.tdx !== undefined ? 'TDX' : 'SGX';
  const ev = doc.tdx ?? doc.sgx;
  if (!isObject(ev)) throw new BadRequest(400, 'invalid_request', `${teeType.toLowerCase()} must be an object`);
  for (const k of Object.keys(ev)) {
    if (!['quote', 'runtime_data', 'user_data', 'verifier_nonce'].includes(k)) throw new BadRequest(400, 'invalid_request', `unknown evidence field ${k.slice(0, 40)}`);
  }
  const quote = b64(ev.quote, 'quote', 64 * 1024);
  const runtimeData = ev.runtime_data === undefined ? undefined : b64(ev.runtime_data, 'runtime_data', 16 * 1024);
  const userData = ev.user_data === undefined ? undefined : b64(ev.user_data, 'user_data', 16 * 1024);
  let nonce: AttestRequest['nonce'];
  if (ev.verifier_nonce !== undefined) {
    const n = ev.verifier_nonce;
    if (!isObject(n)) throw new BadRequest(400, 'invalid_request', 'verifier_nonce must be an object');
    nonce = {
      val: b64(n.val, 'verifier_nonce.val', 256),
      iat: b64(n.iat, 'verifier_nonce.iat', 64),
      signature: b64(n.signature, 'verifier_nonce.signature', 1024),
      raw: { val: n.val as string, iat: n.iat as string },
    };
  }
  const ids = doc.policy_ids ?? [];
  if (!Array.isArray(ids) || ids.length > 32 || !ids.every((i) => typeof i === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(i))) {
    throw new BadRequest(400, 'invalid_request', 'policy_ids must be an array of at most 32 policy ids');
  }
  const mustMatch = doc.policy_must_match ?? false;
  if (typeof mustMatch !== 'boolean') throw new BadRequest(400, 'invalid_request', 'policy_must_match must be a boolean');
  const alg = doc.token_signing_alg ?? 'PS384';
  if (!SERVICE_TOKEN_ALGORITHMS.includes(alg as ServiceTokenAlgorithm)) {
    throw new BadRequest(400, 'unsupported_algorithm', `token_signing_alg must be one of ${SERVICE_TOKEN_ALGORITHMS.join(', ')}`);
  }
  return {
    teeType,
    quote,
    ...(runtimeData === undefined ? {} : { runtimeData }),
    ...(userData === undefined ? {} : { userData }),
    ...(nonce === undefined ? {} : { nonce }),
    policyIds: [...new Set(ids as string[])],
    policyMustMatch: mustMatch,
    alg: alg as ServiceTokenAlgorithm,
  };
}
