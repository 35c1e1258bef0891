/**
 * The service configuration file (JSON), validated strictly at the boundary:
 * unknown keys, wrong types and malformed hex are InvalidArgument naming the
 * offending path, never a TypeError later. Secrets are not stored: API keys
 * appear only as their SHA-256 (hex).
 *
 *   {
 *     "issuer": "https://attest.example",            token `iss` (default "tee-attest appraisal service")
 *     "tokenLifetimeSeconds": 300,                    token exp - iat (default 300)
 *     "maxBodyBytes": 262144,                          request body limit (default 256 KiB)
 *     "maxConcurrentAttests": 256,                     more in flight: 503 busy (default 256)
 *     "rateLimit": { "perSecond": 20, "burst": 40 },  default per-key token bucket
 *     "apiKeys": [ { "id": "fleet-a", "sha256": "<64 hex>", "rateLimit"?: {...} } ],
 *     "policies": { "<policy id>": { QuotePolicy fields, plus allowedAppIds /
 *                   allowedComposeHashes / allowedOsImageHashes } },
 *     "fmspcs": [ { "teeType": "TDX", "fmspc": "00806f050000", "ca": "platform" } ]
 *   }
 */
import { attestationError } from '../errors.js';
import type { QuotePolicy } from '../policy/policy.js';
import type { CollateralRequest } from '../sources/dcap/types.js';
import { TCB_STATUSES, type TcbStatus } from '../tcb/status.js';

export interface RateLimitConfig {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size (largest burst). */
  readonly burst: number;
}

export interface ApiKeyConfig {
  /** A name for logs and metrics (never the key). */
  readonly id: string;
  /** SHA-256 of the key's UTF-8 bytes, lower-case hex. */
  readonly sha256: string;
  readonly rateLimit?: RateLimitConfig;
}

/** A named policy: the core QuotePolicy plus dstack app pins (which need a replayed event log). */
export interface ServicePolicy extends QuotePolicy {
  readonly allowedAppIds?: readonly string[];
  readonly allowedComposeHashes?: readonly string[];
  readonly allowedOsImageHashes?: readonly string[];
}

export interface ServiceConfig {
  readonly issuer?: string;
  readonly tokenLifetimeSeconds?: number;
  readonly maxBodyBytes?: number;
  readonly maxConcurrentAttests?: number;
  readonly rateLimit?: RateLimitConfig;
  readonly apiKeys?: readonly ApiKeyConfig[];
  readonly policies?: Readonly<Record<string, ServicePolicy>>;
  /** Collateral that /readyz waits for (and that is fetched at start). */
  readonly fmspcs?: readonly CollateralRequest[];
}


function bad(path: string, message: string): never {
  throw attestationError('InvalidArgument', `service config ${path}: ${message}`, { check: `service.config`, field: path });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(v: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) bad(path, 'expected an object');
  for (const k of Object.keys(v)) if (!keys.includes(k)) bad(`${path}.${k}`, 'unknown key');
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(path, `expected an integer in ${min}..${max}`);
  return v;
}

function positive(v: unknown, path: string, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) bad(path, `expected a number in (0, ${max}]`);
  return v;
}

function str(v: unknown, path: string, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) bad(path, `expected ${what}`);
  return v;
}

function list<T>(v: unknown, path: string, max: number, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v) || v.length > max) bad(path, `expected an array of at most ${max} items`);
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

const HEX = (bytes: number): RegExp => new RegExp(`^(0x)?[0-9a-fA-F]{${bytes * 2}}$`);
const hexList = (bytes: number) => (v: unknown, p: string) => list(v, p, 1024, (x, q) => str(x, q, HEX(bytes), `${bytes} bytes of hex`));
const anyHexList = (v: unknown, p: string): string[] => list(v, p, 1024, (x, q) => str(x, q, /^(0x)?[0-9a-fA-F]{2,128}$/, 'hex'));

function rateLimit(v: unknown, path: string): RateLimitConfig {
  const o = object(v, path, ['perSecond', 'burst']);
  return { perSecond: positive(o.perSecond, `${path}.perSecond`, 1e6), burst: int(o.burst, `${path}.burst`, 1, 1e6) };
}

// The library's one policy vocabulary (src/policy/options.ts): the keys are QuotePolicy's own option names.
const POLICY_KEYS = [
  'acceptableTcbStatuses', 'rejectedAdvisoryIds', 'allowDebug', 'requireSeptVeDisable', 'allowedMrtds', 'allowedRtmrs',
  'allowedMrServiceTds', 'allowedMrConfigIds', 'allowedMrOwners', 'allowedMrEnclaves', 'allowedMrSigners', 'allowedIsvProdIds',
  'minIsvSvn', 'expectedReportData', 'minTcbEvaluationDataNumber', 'allowedFmspcs',
  'allowedAppIds', 'allowedComposeHashes', 'allowedOsImageHashes',
] as const satisfies readonly (keyof ServicePolicy)[];

function policy(v: unknown, path: string): ServicePolicy {
  const o = object(v, path, POLICY_KEYS);
  const out: Record<string, unknown> = {};
  const p = (k: string): string => `${path}.${k}`;
  if (o.acceptableTcbStatuses !== undefined) {
    out.acceptableTcbStatuses = list(o.acceptableTcbStatuses, p('acceptableTcbStatuses'), 16, (x, q) => {
      if (!TCB_STATUSES.includes(x as TcbStatus)) bad(q, `expected one of ${TCB_STATUSES.join(', ')}`);
      return x as TcbStatus;
    });
  }
  if (o.rejectedAdvisoryIds !== undefined) out.rejectedAdvisoryIds = list(o.rejectedAdvisoryIds, p('rejectedAdvisoryIds'), 1024, (x, q) => str(x, q, /^[A-Za-z0-9-]{1,64}$/, 'an advisory id'));
  for (const k of ['allowDebug', 'requireSeptVeDisable'] as const) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== 'boolean') bad(p(k), 'expected a boolean');
      out[k] = o[k];
    }
  }
  for (const k of ['allowedMrtds', 'allowedMrServiceTds', 'allowedMrConfigIds', 'allowedMrOwners'] as const) if (o[k] !== undefined) out[k] = hexList(48)(o[k], p(k));
  for (const k of ['allowedMrEnclaves', 'allowedMrSigners'] as const) if (o[k] !== undefined) out[k] = hexList(32)(o[k], p(k));
  if (o.allowedFmspcs !== undefined) out.allowedFmspcs = hexList(6)(o.allowedFmspcs, p('allowedFmspcs'));
  if (o.allowedRtmrs !== undefined) {
    const r = object(o.allowedRtmrs, p('allowedRtmrs'), ['0', '1', '2', '3']);
    const rtmr: Record<string, string[]> = {};
    for (const i of ['0', '1', '2', '3']) if (r[i] !== undefined) rtmr[i] = hexList(48)(r[i], `${p('allowedRtmrs')}.${i}`);
    out.allowedRtmrs = rtmr;
  }
  if (o.allowedIsvProdIds !== undefined) out.allowedIsvProdIds = list(o.allowedIsvProdIds, p('allowedIsvProdIds'), 1024, (x, q) => int(x, q, 0, 0xffff));
  if (o.minIsvSvn !== undefined) out.minIsvSvn = int(o.minIsvSvn, p('minIsvSvn'), 0, 0xffff);
  if (o.minTcbEvaluationDataNumber !== undefined) out.minTcbEvaluationDataNumber = int(o.minTcbEvaluationDataNumber, p('minTcbEvaluationDataNumber'), 0, 2 ** 31);
  if (o.expectedReportData !== undefined) out.expectedReportData = str(o.expectedReportData, p('expectedReportData'), HEX(64), '64 bytes of hex');
  for (const k of ['allowedAppIds', 'allowedComposeHashes', 'allowedOsImageHashes'] as const) if (o[k] !== undefined) out[k] = anyHexList(o[k], p(k));
  return out as ServicePolicy;
}

function fmspcRequest(v: unknown, path: string): CollateralRequest {
  const o = object(v, path, ['teeType', 'fmspc', 'ca']);
  const teeType = o.teeType;
  if (teeType !== 'TDX' && teeType !== 'SGX') bad(`${path}.teeType`, 'expected "TDX" or "SGX"');
  const ca = o.ca ?? 'platform';
  if (ca !== 'platform' && ca !== 'processor') bad(`${path}.ca`, 'expected "platform" or "processor"');
  return { teeType, fmspc: str(o.fmspc, `${path}.fmspc`, /^[0-9a-fA-F]{12}$/, '12 hex digits').toLowerCase(), ca };
}

/** Validates a parsed config document; returns a normalised copy. */
export function parseServiceConfig(doc: unknown): ServiceConfig {
  const o = object(doc, 'config', ['$schema', 'issuer', 'tokenLifetimeSeconds', 'maxBodyBytes', 'maxConcurrentAttests', 'rateLimit', 'apiKeys', 'policies', 'fmspcs']);
  const out: Record<string, unknown> = {};
  if (o.issuer !== undefined) out.issuer = str(o.issuer, 'issuer', /^[\x20-\x7e]{1,256}$/, 'a printable string');
  if (o.tokenLifetimeSeconds !== undefined) out.tokenLifetimeSeconds = int(o.tokenLifetimeSeconds, 'tokenLifetimeSeconds', 1, 86_400);
  if (o.maxBodyBytes !== undefined) out.maxBodyBytes = int(o.maxBodyBytes, 'maxBodyBytes', 1024, 16 * 1024 * 1024);
  if (o.maxConcurrentAttests !== undefined) out.maxConcurrentAttests = int(o.maxConcurrentAttests, 'maxConcurrentAttests', 1, 1e6);
  if (o.rateLimit !== undefined) out.rateLimit = rateLimit(o.rateLimit, 'rateLimit');
  if (o.apiKeys !== undefined) {
    const ids = new Set<string>();
    out.apiKeys = list(o.apiKeys, 'apiKeys', 10_000, (x, p) => {
      const k = object(x, p, ['id', 'sha256', 'rateLimit']);
      const id = str(k.id, `${p}.id`, /^[A-Za-z0-9._-]{1,64}$/, 'an id of [A-Za-z0-9._-]');
      if (ids.has(id)) bad(`${p}.id`, 'duplicate id');
      ids.add(id);
      return {
        id,
        sha256: str(k.sha256, `${p}.sha256`, /^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex').toLowerCase(),
        ...(k.rateLimit === undefined ? {} : { rateLimit: rateLimit(k.rateLimit, `${p}.rateLimit`) }),
      };
    });
  }
  if (o.policies !== undefined) {
    const ps = object(o.policies, 'policies', Object.keys(o.policies as object));
    const policies: Record<string, ServicePolicy> = Object.create(null) as Record<string, ServicePolicy>; // ids such as __proto__ stay plain keys
    for (const [id, p] of Object.entries(ps)) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) bad(`policies.${id.slice(0, 64)}`, 'policy ids are [A-Za-z0-9._-], at most 64');
      policies[id] = policy(p, `policies.${id}`);
    }
    out.policies = policies;
  }
  if (o.fmspcs !== undefined) out.fmspcs = list(o.fmspcs, 'fmspcs', 1024, fmspcRequest);
  return out as ServiceConfig;
}
