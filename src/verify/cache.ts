/**
 * Caches for repeated verification, all keyed by the exact bytes (or the
 * exact, immutable string) they stand for, never by object identity:
 *
 * - signature results for (signature, public key, message);
 * - parsed PCK chains by the exact certification data bytes;
 * - parsed collateral by the exact content of every input field (strings are
 *   immutable; byte fields are compared against a private copy);
 * - *verified facts*: once a collateral set (or a PCK chain under that
 *   collateral) passed every time-independent check under a root key, the
 *   entry keeps the intersection of every validity window it contains. A
 *   later call at `at` inside that window skips the signatures it already
 *   checked; outside it, the full verification runs again and reports the
 *   exact failure. Date checks are therefore never skipped: they are reduced
 *   to comparing `at` with the window, on every call.
 *
 * Everything parsed is parsed from private copies: a caller mutating its
 * input in place cannot change what a cached entry says.
 *
 * A cache is an explicit object the caller creates and passes in; the library
 * keeps no global state.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { Certificate } from '../x509/certificate.js';
import type { SgxPckExtension } from '../x509/sgx-extension.js';
import type { QeIdentityResult } from '../tcb/qe-identity-check.js';
import type { TcbEvaluation } from '../tcb/evaluate.js';
import type { Collateral } from '../collateral/parse.js';
import { sameBytes } from '../lib/bytes.js';
import { sameCollateralFields } from '../collateral/input.js';
import { BytesMap } from '../lib/bytes-map.js';
import { LruMap } from '../lib/lru.js';

export interface VerificationCacheOptions {
  /** Signature results kept (default 4096). */
  readonly maxSignatures?: number;
  /** Parsed PCK chains kept, by their exact certification data bytes (default 1024). */
  readonly maxChains?: number;
  /** Parsed collateral sets kept, by the exact content of their fields (default 256). */
  readonly maxCollateral?: number;
}

interface SignatureEntry {
  readonly message: Uint8Array;
  readonly ok: boolean;
}

/**
 * Memoises P-256 signature checks, keyed by the exact (signature, public key)
 * bytes; the stored private copy of the message is compared byte for byte, so
 * a hit is exact.
 */
export class SignatureMemo {
  private readonly entries: BytesMap<SignatureEntry>;

  constructor(max: number) {
    this.entries = new BytesMap(max);
  }

  /** Signature results kept. */
  get size(): number {
    return this.entries.size;
  }

  wrap(backend: CryptoBackend): CryptoBackend {
    return {
      name: `${backend.name}+memo`,
      sha256: backend.sha256,
      sha384: backend.sha384,
      sha512: backend.sha512,
      verifyP256: async (publicKey, message, signature) => {
        const hit = this.entries.get(signature, publicKey);
        if (hit !== undefined && sameBytes(hit.message, message)) return hit.ok;
        const ok = await backend.verifyP256(publicKey, message, signature);
        this.entries.set([signature, publicKey], { message: message.slice(), ok });
        return ok;
      },
    };
  }
}

/** A validity window in unix seconds: every date check of an entry passes iff from <= at <= until. */
export interface Window {
  readonly from: number;
  readonly until: number;
}

/** Facts about one PCK chain under one verified collateral set and root key (time-independent). */
export interface PckFacts {
  readonly window: Window;
  readonly ext: SgxPckExtension;
  /** QE blobs (report, its signature, attestation key, auth data) verified and bound under this PCK key. */
  readonly qeBlocks: BytesMap<true>;
  /** The earliest expiry of everything involved (collateralExpiresAt), once computed. */
  expiresAt?: number;
  /**
   * QE Identity check and TCB evaluation outcomes (time-independent), keyed by
   * the exact QE report bytes, TEE_TCB_SVN(_2) and quote version / TEE type
   * they read; the TCB Info, QE Identity and PCK extension are those of
   * these facts. Only successful outcomes are kept; results copy them.
   */
  evaluations?: BytesMap<EvaluationFacts>;
}

/** What the QE Identity check and the TCB evaluation returned (see PckFacts.evaluations). */
export interface EvaluationFacts {
  readonly qe: QeIdentityResult;
  readonly evaluation: TcbEvaluation;
  /** evaluation.tcbDate as RFC 3339. */
  readonly tcbDateIso: string;
}

export interface ChainEntry {
  readonly id: number;
  readonly certs: readonly Certificate[];
  /** `${collateral id}|${root id}` → facts. */
  readonly facts: LruMap<string, PckFacts>;
}

export interface CollateralEntry {
  readonly id: number;
  readonly collateral: Collateral;
  /** Root key id → window of the collateral's own checks (TCB Info, QE Identity, PCK CRL chain, Root CA CRL). */
  readonly verified: Map<number, Window>;
  /** The collateral's own PCK chain (for quotes without one), once used. */
  pckChain?: ChainEntry;
}

/** Parsed PCK chains by the exact certification data bytes they came from. */
export class ChainCache {
  private readonly byBytes: BytesMap<ChainEntry>;

  constructor(
    max: number,
    private readonly nextId: () => number,
  ) {
    this.byBytes = new BytesMap(max);
  }

  /** The entry for these exact bytes, if cached. */
  find(data: Uint8Array): ChainEntry | undefined {
    return this.byBytes.get(data);
  }

  /**
   * A new entry for `data`, which `find` did not know, with the chain parsed
   * from those bytes (a private copy of them is kept and compared on every hit).
   */
  add(data: Uint8Array, certs: readonly Certificate[]): ChainEntry {
    const e: ChainEntry = { id: this.nextId(), certs, facts: new LruMap(16) };
    this.byBytes.set([data], e);
    return e;
  }
}

export class VerificationCache {
  readonly signatures: SignatureMemo;
  /** A quote's PCK chain (certification data) → parsed certificates and verified facts. */
  readonly chains: ChainCache;
  /** Collateral input content (field ids) → parsed collateral and verified facts. */
  readonly collateral: LruMap<string, CollateralEntry>;
  /** Exact field content → field id (strings as themselves, bytes through a private copy). */
  private readonly textIds: LruMap<string, number>;
  private readonly byteIds: BytesMap<number>;
  private readonly rootIds: BytesMap<number>;
  /**
   * Parsed CA certificates by the exact text of their PEM block body (one
   * text, one DER): the CA and root of every PCK chain are shared by a fleet,
   * so a new PCK chain decodes and parses only its leaf.
   */
  readonly certificates: LruMap<string, Certificate>;
  private lastId = 0;

  constructor(options: VerificationCacheOptions = {}) {
    const nextId = (): number => ++this.lastId;
    this.signatures = new SignatureMemo(options.maxSignatures ?? 4096);
    this.chains = new ChainCache(options.maxChains ?? 1024, nextId);
    const maxCollateral = options.maxCollateral ?? 256;
    this.collateral = new LruMap(maxCollateral);
    this.textIds = new LruMap(maxCollateral * 10);
    this.byteIds = new BytesMap(maxCollateral * 10);
    this.rootIds = new BytesMap(16);
    this.certificates = new LruMap(64);
  }

  private readonly recent: { json: boolean; values: readonly (string | Uint8Array | undefined)[]; entry: CollateralEntry }[] = [];

  /**
   * The entry of a collateral input seen in the last few calls, found by
   * comparing every field with the private copy kept for it (strings are
   * immutable: equal strings are equal content; byte fields are compared byte
   * for byte). A long-lived collateral object costs a few comparisons.
   */
  recentCollateral(json: boolean, values: readonly (string | Uint8Array | undefined)[]): CollateralEntry | undefined {
    for (const r of this.recent) if (r.json === json && sameCollateralFields(r.values, values)) return r.entry;
    return undefined;
  }

  /** Remember `values` (private copies, never handed out) for `recentCollateral`. */
  rememberCollateral(json: boolean, values: readonly (string | Uint8Array | undefined)[], entry: CollateralEntry): void {
    this.recent.unshift({ json, values, entry });
    if (this.recent.length > 4) this.recent.pop();
  }

  /** A fresh, never reused id. */
  nextId(): number {
    return ++this.lastId;
  }

  /** The id of exact content: equal content, equal id (while cached); ids are never reused. */
  idOf(value: string | Uint8Array): number {
    if (typeof value === 'string') {
      let id = this.textIds.get(value);
      if (id === undefined) this.textIds.set(value, (id = ++this.lastId));
      return id;
    }
    let id = this.byteIds.get(value);
    if (id === undefined) this.byteIds.set([value], (id = ++this.lastId));
    return id;
  }

  /** The id of a root public key (exact bytes). */
  rootId(key: Uint8Array): number {
    let id = this.rootIds.get(key);
    if (id === undefined) this.rootIds.set([key], (id = ++this.lastId));
    return id;
  }
}

/** True when `at` lies in the window (both ends inclusive, as every date check of the verifier). */
export function inWindow(w: Window | undefined, at: number): boolean {
  return w !== undefined && at >= w.from && at <= w.until;
}
