/**
 * Certificate path validation to a pinned P-256 root key (a reduced RFC 5280
 * §6.1 for the fixed, short chains of Intel DCAP), and CRL validation
 * (RFC 5280 §6.3).
 *
 * Order of checks (the first failure is reported, with evidence):
 *   1. chain length (1..MAX_CHAIN_LENGTH)                    → failCode
 *   2. issuer/subject Name bytes chain, no self-issued
 *      certificate below the top                              → failCode
 *   3. trust anchor: a self-issued top certificate must carry the pinned key,
 *      otherwise the top certificate must verify under it     → UntrustedRoot
 *   4. every signature under its issuer's key                 → failCode
 *   5. CA certificates: cA=TRUE, keyCertSign, pathLen;
 *      no unknown critical extension on any certificate      → CertificateInvalid
 *   6. validity windows at `at`                               → CertificateExpired
 *   7. CRLs: each CRL issued by a chain CA (or the pinned root) is verified
 *      (verifyCrl), every non-root certificate must be covered (unless
 *      requireCrlFor is 'none') and must not be listed        → failCode / CrlRevoked
 */
import { ErrorCodes, type ErrorCode, type Evidence, attestationError } from '../errors.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import type { Certificate } from '../x509/certificate.js';
import type { Crl } from '../x509/crl.js';

/** Longest chain accepted (Intel's is leaf, intermediate CA, root). */
export const MAX_CHAIN_LENGTH = 5;

export interface ChainOptions {
  /** The pinned trust anchor: 65-byte uncompressed P-256 point. */
  rootPublicKey: Uint8Array;
  /** Verification time, unix seconds. */
  at: number;
  crypto: CryptoBackend;
  /**
   * Backend for the signature on certs[0] when it is not the top (default
   * `crypto`). The verifier passes its un-memoised backend for a PCK leaf: a
   * leaf's verified facts are kept by the cache anyway, so remembering its
   * signature too would only keep a copy of its TBS bytes per machine.
   */
  leafCrypto?: CryptoBackend;
  /**
   * CRLs to check the chain against. A CRL applies to a certificate when its
   * issuer Name bytes equal the certificate's issuer. CRLs whose issuer is not
   * a CA of this chain (nor the pinned root) are ignored.
   */
  crls?: readonly Crl[];
  /** 'all' (default): every non-root certificate must be covered by a verified CRL. */
  requireCrlFor?: 'all' | 'none';
  /** Prefix of evidence.check, e.g. 'pck', 'tcbInfo', 'qeIdentity', 'pckCrl'. */
  context: string;
  /** Code for structure/signature/coverage failures (default 'PckChain'). */
  failCode?: ErrorCode;
}

export interface CrlVerifyOptions {
  /** Verification time, unix seconds. */
  at: number;
  crypto: CryptoBackend;
  /** Prefix of evidence.check: checks are named `${context}.crl.*` (default `crl.*`). */
  context?: string;
}

function fail(code: ErrorCode, message: string, evidence: Evidence): never {
  const kind = ErrorCodes[code];
  if (kind === 'parse') throw attestationError(code, message, evidence);
  if (kind === 'verify') throw attestationError(code, message, evidence);
  throw attestationError(code, message, evidence);
}

/** ISO-8601 for evidence; never throws (falls back to the number). */
function iso(t: number): string {
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e12) return String(t);
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function checkTime(at: unknown): asserts at is number {
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    fail('InvalidArgument', 'verification time must be a finite number of unix seconds', {
      check: 'options.at',
      found: String(at),
    });
  }
}

/** Who signs a CRL: a CA certificate of the chain, or the pinned root key alone. */
interface CrlSigner {
  readonly publicKey: Uint8Array;
  readonly subject: Uint8Array;
  readonly subjectText: string;
  readonly keyUsage?: Certificate['keyUsage'];
  readonly subjectKeyId?: Uint8Array;
}

async function checkCrl(crl: Crl, signer: CrlSigner, opts: CrlVerifyOptions): Promise<void> {
  checkTime(opts.at);
  const ctx = opts.context === undefined ? 'crl' : `${opts.context}.crl`;
  const at = opts.at;
  // §5.2 / §5.3: a CRL with an unrecognised critical (entry) extension must not be used.
  if (crl.unknownCriticalExtensions.length > 0) {
    fail('CrlParse', `CRL of ${crl.issuerText} has unsupported critical extensions`, {
      check: `${ctx}.criticalExtension`,
      field: 'crlExtensions',
      found: crl.unknownCriticalExtensions.join(','),
    });
  }
  // §6.3.3 (b): the CRL issuer must match the certificate issuer.
  if (!bytesEqual(crl.issuer, signer.subject)) {
    fail('CrlSignature', 'CRL issuer does not match the issuing CA', {
      check: `${ctx}.issuer`,
      field: 'issuer',
      expected: signer.subjectText,
      found: crl.issuerText,
    });
  }
  if (crl.authorityKeyId !== undefined && signer.subjectKeyId !== undefined && !bytesEqual(crl.authorityKeyId, signer.subjectKeyId)) {
    fail('CrlSignature', 'CRL authorityKeyIdentifier does not match the issuing CA', {
      check: `${ctx}.authorityKeyId`,
      field: 'authorityKeyIdentifier',
      expected: toHex(signer.subjectKeyId),
      found: toHex(crl.authorityKeyId),
    });
  }
  // §6.3.3 (f): the CRL issuer's key usage must allow cRLSign.
  if (signer.keyUsage !== undefined && !signer.keyUsage.cRLSign) {
    fail('CrlSignature', 'CRL issuer certificate lacks the cRLSign key usage', {
      check: `${ctx}.keyUsage`,
      field: 'keyUsage',
      expected: 'cRLSign',
      found: 'absent',
    });
  }
  if (!(await opts.crypto.verifyP256(signer.publicKey, crl.tbs, crl.signature))) {
    fail('CrlSignature', `CRL signature by ${signer.subjectText} does not verify`, {
      check: `${ctx}.signature`,
      field: 'signatureValue',
      expected: `signature by ${toHex(signer.publicKey)}`,
      found: toHex(crl.signature),
    });
  }
  const window = (): string => `${iso(crl.thisUpdate)}..${crl.nextUpdate === undefined ? 'absent' : iso(crl.nextUpdate)}`;
  if (crl.nextUpdate === undefined) {
    fail('CrlExpired', 'CRL has no nextUpdate', { check: `${ctx}.validity`, field: 'nextUpdate', expected: window(), found: iso(at) });
  }
  if (at < crl.thisUpdate || at > crl.nextUpdate) {
    fail('CrlExpired', `CRL of ${crl.issuerText} is not valid at ${iso(at)}`, {
      check: `${ctx}.validity`,
      field: at < crl.thisUpdate ? 'thisUpdate' : 'nextUpdate',
      expected: window(),
      found: iso(at),
    });
  }
}

/**
 * Verifies a CRL against its issuing CA certificate: issuer Name and key
 * identifier match (CrlSignature), cRLSign key usage (CrlSignature), the
 * signature (CrlSignature), thisUpdate <= at <= nextUpdate (CrlExpired; a CRL
 * without nextUpdate is rejected) and no unknown critical extension (CrlParse).
 */
export async function verifyCrl(crl: Crl, issuer: Certificate, opts: CrlVerifyOptions): Promise<void> {
  await checkCrl(crl, issuer, opts);
}

/**
 * Validates `chain` (leaf first; the self-signed root last, or absent when the
 * top certificate is issued directly by the pinned root key) at `opts.at`.
 */
export async function verifyChain(chain: readonly Certificate[], opts: ChainOptions): Promise<void> {
  const ctx = opts.context;
  const code = opts.failCode ?? 'PckChain';
  checkTime(opts.at);
  const at = opts.at;
  const rootKey = opts.rootPublicKey;
  if (!(rootKey instanceof Uint8Array) || rootKey.length !== 65 || rootKey[0] !== 0x04) {
    fail('InvalidArgument', 'rootPublicKey must be a 65-byte uncompressed P-256 point', {
      check: 'options.rootPublicKey',
      found: rootKey instanceof Uint8Array ? `${rootKey.length} bytes` : typeof rootKey,
    });
  }
  const n = Array.isArray(chain) ? chain.length : 0;
  if (n < 1 || n > MAX_CHAIN_LENGTH) {
    fail(code, `${ctx} certificate chain has ${n} certificates`, {
      check: `${ctx}.chain.length`,
      expected: `1..${MAX_CHAIN_LENGTH}`,
      found: String(n),
    });
  }
  const certs = chain;
  const top = certs[n - 1]!;
  const hasRoot = bytesEqual(top.issuer, top.subject);

  // 2. Names chain byte-for-byte (RFC 5280 §6.1.3 (a)(4)).
  for (let i = 0; i < n - 1; i++) {
    const c = certs[i]!;
    const up = certs[i + 1]!;
    if (bytesEqual(c.issuer, c.subject)) {
      fail(code, `${ctx} chain has a self-issued certificate below the top`, {
        check: `${ctx}.chain.selfIssued`,
        field: `certs[${i}]`,
        found: c.subjectText,
      });
    }
    if (!bytesEqual(c.issuer, up.subject)) {
      fail(code, `${ctx} chain is broken: certs[${i}] is not issued by certs[${i + 1}]`, {
        check: `${ctx}.chain.issuer`,
        field: `certs[${i}]`,
        expected: up.subjectText,
        found: c.issuerText,
      });
    }
  }

  // 3. Trust anchor.
  if (hasRoot) {
    if (!bytesEqual(top.publicKey, rootKey)) {
      fail('UntrustedRoot', `${ctx} chain root is not the pinned root key`, {
        check: `${ctx}.chain.root`,
        field: `certs[${n - 1}]`,
        expected: toHex(rootKey),
        found: toHex(top.publicKey),
      });
    }
  } else if (!(await opts.crypto.verifyP256(rootKey, top.tbs, top.signature))) {
    fail('UntrustedRoot', `${ctx} chain does not end in the pinned root key`, {
      check: `${ctx}.chain.root`,
      field: `certs[${n - 1}]`,
      expected: `signature by ${toHex(rootKey)}`,
      found: top.issuerText,
    });
  }

  // 4. Signatures, the root's self-signature included.
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    if (i === n - 1 && !hasRoot) break; // verified under the pinned key above
    const signer = i === n - 1 ? c : certs[i + 1]!;
    const backend = i === 0 && n > 1 ? (opts.leafCrypto ?? opts.crypto) : opts.crypto;
    if (!(await backend.verifyP256(signer.publicKey, c.tbs, c.signature))) {
      fail(code, `${ctx} certificate signature does not verify: ${c.subjectText}`, {
        check: `${ctx}.chain.signature`,
        field: `certs[${i}]`,
        expected: `signature by ${signer.subjectText}`,
        found: toHex(c.signature),
      });
    }
  }

  // 5. CA rules (RFC 5280 §6.1.4 (k), (l), (m), (n)) and unknown critical extensions (§4.2, §6.1.4 (o)).
  for (let j = 1; j < n; j++) {
    const c = certs[j]!;
    const field = `certs[${j}]`;
    if (c.basicConstraints?.ca !== true) {
      fail('CertificateInvalid', `${ctx} issuing certificate is not a CA: ${c.subjectText}`, {
        check: `${ctx}.chain.basicConstraints`,
        field,
        expected: 'cA=TRUE',
        found: c.basicConstraints === undefined ? 'absent' : 'cA=FALSE',
      });
    }
    if (c.keyUsage !== undefined && !c.keyUsage.keyCertSign) {
      fail('CertificateInvalid', `${ctx} issuing certificate lacks keyCertSign: ${c.subjectText}`, {
        check: `${ctx}.chain.keyUsage`,
        field,
        expected: 'keyCertSign',
        found: 'absent',
      });
    }
    // Intermediates (non-self-issued CAs) that follow certs[j] toward the leaf: certs[1..j-1].
    const below = j - 1;
    const pathLen = c.basicConstraints.pathLen;
    if (pathLen !== undefined && below > pathLen) {
      fail('CertificateInvalid', `${ctx} path length constraint of ${c.subjectText} exceeded`, {
        check: `${ctx}.chain.pathLen`,
        field,
        expected: `<= ${pathLen}`,
        found: String(below),
      });
    }
  }
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    if (c.unknownCriticalExtensions.length > 0) {
      fail('CertificateInvalid', `${ctx} certificate has unsupported critical extensions: ${c.subjectText}`, {
        check: `${ctx}.chain.criticalExtension`,
        field: `certs[${i}]`,
        found: c.unknownCriticalExtensions.join(','),
      });
    }
  }

  // 6. Validity (RFC 5280 §6.1.3 (a)(2)).
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    if (at < c.notBefore || at > c.notAfter) {
      fail('CertificateExpired', `${ctx} certificate ${c.subjectText} is not valid at ${iso(at)}`, {
        check: `${ctx}.chain.validity`,
        field: `certs[${i}]`,
        expected: `${iso(c.notBefore)}..${iso(c.notAfter)}`,
        found: iso(at),
      });
    }
  }

  // 7. Revocation (RFC 5280 §6.3).
  const verified: Crl[] = [];
  for (const crl of opts.crls ?? []) {
    let signer: CrlSigner | undefined;
    for (let k = 1; k < n && signer === undefined; k++) {
      if (bytesEqual(crl.issuer, certs[k]!.subject)) signer = certs[k]!;
    }
    if (signer === undefined && !hasRoot && bytesEqual(crl.issuer, top.issuer)) {
      signer = { publicKey: rootKey, subject: top.issuer, subjectText: top.issuerText };
    }
    if (signer === undefined) continue; // not issued by a CA of this chain
    await checkCrl(crl, signer, { at, crypto: opts.crypto, context: ctx });
    verified.push(crl);
  }
  const nonRoot = hasRoot ? n - 1 : n;
  for (let i = 0; i < nonRoot; i++) {
    const c = certs[i]!;
    const applicable = verified.filter((crl) => bytesEqual(crl.issuer, c.issuer));
    if (applicable.length === 0 && (opts.requireCrlFor ?? 'all') === 'all') {
      fail(code, `${ctx} no CRL covers ${c.subjectText}`, {
        check: `${ctx}.crl.coverage`,
        field: `certs[${i}]`,
        expected: `CRL issued by ${c.issuerText}`,
        found: 'none',
      });
    }
    for (const crl of applicable) {
      if (crl.revokedSerials.has(c.serialHex)) {
        fail('CrlRevoked', `${ctx} certificate ${c.subjectText} (serial ${c.serialHex}) is revoked`, {
          check: `${ctx}.crl.revoked`,
          field: `certs[${i}]`,
          expected: 'not revoked',
          found: c.serialHex,
        });
      }
    }
  }
}
