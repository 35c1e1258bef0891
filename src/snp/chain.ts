/**
 * The AMD SEV-SNP certificate chain (VCEK spec 57230 §2 "Certificate Chain"):
 *
 *   ARK (AMD Root Key, self-signed, RSA-4096)  →  ASK  (AMD SEV Key)       →  VCEK
 *                                              →  ASVK (AMD SEV VLEK Key)  →  VLEK
 *
 * Every certificate is signed with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48;
 * the VCEK / VLEK key is ECDSA P-384. `verifySnpChain` first checks the leaf's
 * role (CN SEV-VCEK / SEV-VLEK → SnpSigningKeyMismatch / SnpCertChain) and
 * issuer, then runs `verifySnpCaChain` (below), then the leaf's key type,
 * signature by the ASK / ASVK, CA flag, critical extensions and validity
 * (same codes as steps 4-7). `verifySnpCaChain` checks, in order (first
 * failure wins):
 *
 *   1. roles by subject CN: ARK-{product}, SEV-{product} / SEV-VLEK-{product}
 *                                      → SnpProductMismatch / SnpCertChain
 *   2. issuer / subject Names chain byte for byte, the ARK is self-issued
 *                                      → SnpCertChain
 *   3. the ARK key is pinned for the product (roots.ts)  → UntrustedRoot
 *   4. key and signature algorithms: RSA keys, RSASSA-PSS-SHA384 signatures
 *                                      → SnpCertChain
 *   5. signatures: ARK self-signature, ASK / ASVK by the ARK → SnpCertChain
 *   6. CA rules (RFC 5280 §6.1.4 (k)-(n)): cA=TRUE and keyCertSign on the ARK
 *      and ASK / ASVK, pathLen, no unknown critical extension
 *                                      → CertificateInvalid
 *   7. validity at `at` (RFC 5280 §6.1.3 (a)(2))          → CertificateExpired
 *   8. when a CRL is given (KDS /{vcek|vlek}/v1/{product}/crl, issued and
 *      RSASSA-PSS signed by the ARK; RFC 5280 §6.3): issuer and key identifier
 *      match the ARK, cRLSign, signature, thisUpdate ≤ at ≤ nextUpdate, no
 *      unknown critical extension, the ASK / ASVK not listed
 *                                      → CrlSignature / CrlExpired / CrlParse / CrlRevoked
 */
import type { ErrorCode } from '../errors.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import type { AnyAlgCertificate } from '../x509/certificate.js';
import type { AnyAlgCrl } from '../x509/crl.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { missingSnpOperation } from './crypto.js';
import { isoTime, snpFail } from './fail.js';
import type { SnpProduct } from './product.js';
import { arkPinned, type ArkPins } from './roots.js';

export type SnpKeyType = 'VCEK' | 'VLEK';

export interface SnpChain {
  readonly product: SnpProduct;
  readonly keyType: SnpKeyType;
  /** The VCEK or VLEK. */
  readonly leaf: AnyAlgCertificate;
  /** The ASK (VCEK) or ASVK (VLEK). */
  readonly intermediate: AnyAlgCertificate;
  readonly ark: AnyAlgCertificate;
}

export interface SnpChainOptions {
  /** Verification time, unix seconds. */
  readonly at: number;
  readonly crypto: CryptoBackend;
  readonly arkPins: ArkPins;
  /** The ARK's CRL; checked when given. */
  readonly crl?: AnyAlgCrl;
}

export interface SnpChainResult {
  /** Unix seconds: the earliest notAfter of the three certificates and the CRL's nextUpdate. */
  readonly expiresAt: number;
  readonly crlChecked: boolean;
  /** Names of the checks that passed, in order. */
  readonly checks: readonly string[];
}

/** The CN of a Name text ("OU=Engineering,...,CN=ARK-Milan" → "ARK-Milan"). */
export function commonName(nameText: string): string | undefined {
  const m = /(?:^|,)CN=([^,]*)(?:,|$)/.exec(nameText);
  return m?.[1];
}

const ROLE = ['leaf', 'intermediate', 'ark'] as const;

function certFail(code: ErrorCode, message: string, field: string, check: string, extra: { expected?: string; found?: string } = {}): never {
  snpFail(code, message, { check: `snp.chain.${check}`, field, ...extra });
}

/** Verifies an RSASSA-PSS-SHA384 signature by an RSA key (false for any other algorithm pair). */
export async function verifyPssBy(
  issuer: AnyAlgCertificate,
  signed: { readonly tbs: Uint8Array; readonly signature: Uint8Array; readonly signatureAlgorithm: string },
  crypto: CryptoBackend,
): Promise<boolean> {
  const key = issuer.publicKeyInfo;
  if (key.kind !== 'rsa' || signed.signatureAlgorithm !== 'rsassa-pss-sha384') return false;
  if (crypto.verifyRsaPssSha384 === undefined) missingSnpOperation(crypto, 'verifyRsaPssSha384');
  return crypto.verifyRsaPssSha384({ modulus: key.modulus, exponent: key.exponent }, signed.tbs, signed.signature);
}

export interface SnpCaChain {
  readonly product: SnpProduct;
  readonly keyType: SnpKeyType;
  /** The ASK (VCEK) or ASVK (VLEK). */
  readonly intermediate: AnyAlgCertificate;
  readonly ark: AnyAlgCertificate;
}

/** Checks 1-8 for the ARK and the ASK / ASVK only (what a KDS cert_chain + CRL answer must pass). */
export async function verifySnpCaChain(ca: SnpCaChain, opts: SnpChainOptions): Promise<SnpChainResult> {
  const { product, keyType, intermediate, ark } = ca;
  const checks: string[] = [];

  // 1. Roles.
  const interName = intermediateName(product, keyType);
  const arkCn = commonName(ark.subjectText);
  if (arkCn !== `ARK-${product}`) {
    certFail(arkCn?.startsWith('ARK-') ? 'SnpProductMismatch' : 'SnpCertChain', `root certificate is not the ${product} ARK`, 'ark', 'role', {
      expected: `CN=ARK-${product}`,
      found: ark.subjectText,
    });
  }
  const interCn = commonName(intermediate.subjectText);
  if (interCn !== interName) {
    const sameRoleOtherProduct =
      interCn !== undefined && (keyType === 'VCEK' ? /^SEV-(?!VLEK-)[A-Za-z]+$/ : /^SEV-VLEK-[A-Za-z]+$/).test(interCn);
    certFail(sameRoleOtherProduct ? 'SnpProductMismatch' : 'SnpCertChain', `intermediate certificate is not the ${product} ${keyType === 'VCEK' ? 'ASK' : 'ASVK'}`, 'intermediate', 'role', {
      expected: `CN=${interName}`,
      found: intermediate.subjectText,
    });
  }
  checks.push('snp.chain.role');

  // 2. Names.
  if (!bytesEqual(intermediate.issuer, ark.subject)) {
    certFail('SnpCertChain', `${interName} is not issued by the ARK`, 'intermediate', 'issuer', { expected: ark.subjectText, found: intermediate.issuerText });
  }
  if (!bytesEqual(ark.issuer, ark.subject)) {
    certFail('SnpCertChain', 'ARK is not self-issued', 'ark', 'issuer', { expected: ark.subjectText, found: ark.issuerText });
  }
  checks.push('snp.chain.names');

  // 3. Trust anchor.
  const spkiHash = opts.crypto.sha256(ark.spki);
  if (!arkPinned(opts.arkPins, product, spkiHash)) {
    certFail('UntrustedRoot', `ARK key is not the pinned ${product} root key`, 'ark', 'root', {
      expected: (opts.arkPins[product] ?? []).join(' | ') || `no pin for ${product}`,
      found: toHex(spkiHash),
    });
  }
  checks.push('snp.chain.root');

  // 4. Algorithms.
  for (const [role, c] of [['intermediate', intermediate], ['ark', ark]] as const) checkAlgorithms(role, c);
  checks.push('snp.chain.algorithms');

  // 5. Signatures.
  await checkSignature('ark', ark, ark, opts.crypto);
  await checkSignature('intermediate', intermediate, ark, opts.crypto);
  checks.push('snp.chain.signatures');

  // 6. CA rules and critical extensions.
  for (const [role, c, below] of [['ark', ark, 1], ['intermediate', intermediate, 0]] as const) {
    if (c.basicConstraints?.ca !== true) {
      certFail('CertificateInvalid', `${role} certificate is not a CA`, role, 'basicConstraints', {
        expected: 'cA=TRUE',
        found: c.basicConstraints === undefined ? 'absent' : 'cA=FALSE',
      });
    }
    if (c.keyUsage !== undefined && !c.keyUsage.keyCertSign) {
      certFail('CertificateInvalid', `${role} certificate lacks keyCertSign`, role, 'keyUsage', { expected: 'keyCertSign', found: 'absent' });
    }
    // `below`: intermediate CAs under this one (the ARK has the ASK / ASVK, which has none).
    const pathLen = c.basicConstraints.pathLen;
    if (pathLen !== undefined && below > pathLen) {
      certFail('CertificateInvalid', `${role} path length constraint exceeded`, role, 'pathLen', { expected: `<= ${pathLen}`, found: String(below) });
    }
    checkCritical(role, c);
  }
  checks.push('snp.chain.caRules');

  // 7. Validity.
  checkValidity('ark', ark, opts.at);
  checkValidity('intermediate', intermediate, opts.at);
  checks.push('snp.chain.validity');

  let expiresAt = Math.min(intermediate.notAfter, ark.notAfter);

  // 8. Revocation.
  if (opts.crl !== undefined) {
    const crl = opts.crl;
    await verifySnpCrl(crl, ark, opts);
    if (crl.revokedSerials.has(intermediate.serialHex)) {
      snpFail('CrlRevoked', `${interName} (serial ${intermediate.serialHex}) is revoked by the ARK's CRL`, {
        check: 'snp.crl.revoked',
        field: 'intermediate',
        expected: 'not revoked',
        found: intermediate.serialHex,
      });
    }
    expiresAt = Math.min(expiresAt, crl.nextUpdate ?? expiresAt);
    checks.push('snp.crl');
  }
  return { expiresAt, crlChecked: opts.crl !== undefined, checks };
}

/**
 * The whole chain: the leaf's role and issuer first, then the CA chain
 * (verifySnpCaChain), then the leaf's key (P-384), signature by the ASK /
 * ASVK, CA flag, critical extensions and validity.
 */
export async function verifySnpChain(chain: SnpChain, opts: SnpChainOptions): Promise<SnpChainResult> {
  const { keyType, leaf, intermediate } = chain;
  const leafCn = commonName(leaf.subjectText);
  if (leafCn !== `SEV-${keyType}`) {
    certFail(leafCn === 'SEV-VCEK' || leafCn === 'SEV-VLEK' ? 'SnpSigningKeyMismatch' : 'SnpCertChain', `endorsement certificate is not a ${keyType}`, 'leaf', 'role', {
      expected: `CN=SEV-${keyType}`,
      found: leaf.subjectText,
    });
  }
  if (!bytesEqual(leaf.issuer, intermediate.subject)) {
    certFail('SnpCertChain', `${keyType} is not issued by ${intermediate.subjectText}`, 'leaf', 'issuer', { expected: intermediate.subjectText, found: leaf.issuerText });
  }
  const ca = await verifySnpCaChain(chain, opts);
  checkAlgorithms('leaf', leaf);
  await checkSignature('leaf', leaf, intermediate, opts.crypto);
  if (leaf.basicConstraints?.ca === true) {
    certFail('CertificateInvalid', `${keyType} certificate must not be a CA`, 'leaf', 'basicConstraints', { expected: 'cA=FALSE or absent', found: 'cA=TRUE' });
  }
  checkCritical('leaf', leaf);
  checkValidity('leaf', leaf, opts.at);
  return { expiresAt: Math.min(ca.expiresAt, leaf.notAfter), crlChecked: ca.crlChecked, checks: ['snp.chain.leaf', ...ca.checks] };
}

function intermediateName(product: SnpProduct, keyType: SnpKeyType): string {
  return keyType === 'VCEK' ? `SEV-${product}` : `SEV-VLEK-${product}`;
}

function checkAlgorithms(role: (typeof ROLE)[number], c: AnyAlgCertificate): void {
  const key = c.publicKeyInfo;
  const keyOk = role === 'leaf' ? key.kind === 'ec' && key.curve === 'P-384' : key.kind === 'rsa';
  if (!keyOk) {
    certFail('SnpCertChain', `${role} certificate has the wrong key type`, role, 'keyType', {
      expected: role === 'leaf' ? 'EC P-384' : 'RSA',
      found: key.kind === 'ec' ? `EC ${key.curve}` : `RSA-${key.bits}`,
    });
  }
  if (c.signatureAlgorithm !== 'rsassa-pss-sha384') {
    certFail('SnpCertChain', `${role} certificate is not RSASSA-PSS-SHA384 signed`, role, 'signatureAlgorithm', {
      expected: 'rsassa-pss-sha384',
      found: c.signatureAlgorithm,
    });
  }
}

async function checkSignature(role: (typeof ROLE)[number], c: AnyAlgCertificate, signer: AnyAlgCertificate, crypto: CryptoBackend): Promise<void> {
  if (!(await verifyPssBy(signer, c, crypto))) {
    certFail('SnpCertChain', `${role} certificate signature does not verify: ${c.subjectText}`, role, 'signature', {
      expected: `RSASSA-PSS-SHA384 signature by ${signer.subjectText}`,
      found: toHex(c.signature.subarray(0, 16)) + '…',
    });
  }
}

function checkCritical(role: (typeof ROLE)[number], c: AnyAlgCertificate): void {
  if (c.unknownCriticalExtensions.length > 0) {
    certFail('CertificateInvalid', `${role} certificate has unsupported critical extensions`, role, 'criticalExtension', {
      found: c.unknownCriticalExtensions.join(','),
    });
  }
}

function checkValidity(role: (typeof ROLE)[number], c: AnyAlgCertificate, at: number): void {
  if (at < c.notBefore || at > c.notAfter) {
    certFail('CertificateExpired', `${role} certificate ${c.subjectText} is not valid at ${isoTime(at)}`, role, 'validity', {
      expected: `${isoTime(c.notBefore)}..${isoTime(c.notAfter)}`,
      found: isoTime(at),
    });
  }
}

/**
 * Verifies the ARK's CRL (RFC 5280 §6.3.3): issuer Name and authority key id
 * match the ARK, the ARK may sign CRLs, the RSASSA-PSS signature verifies,
 * thisUpdate ≤ at ≤ nextUpdate (a CRL without nextUpdate is refused) and no
 * unknown critical extension is present.
 */
export async function verifySnpCrl(crl: AnyAlgCrl, ark: AnyAlgCertificate, opts: { readonly at: number; readonly crypto: CryptoBackend }): Promise<void> {
  const fail = (code: ErrorCode, message: string, check: string, extra: { field?: string; expected?: string; found?: string } = {}): never =>
    snpFail(code, message, { check: `snp.crl.${check}`, ...extra });
  if (crl.unknownCriticalExtensions.length > 0) {
    fail('CrlParse', 'CRL has unsupported critical extensions', 'criticalExtension', { field: 'crlExtensions', found: crl.unknownCriticalExtensions.join(',') });
  }
  if (!bytesEqual(crl.issuer, ark.subject)) {
    fail('CrlSignature', 'CRL is not issued by the ARK', 'issuer', { field: 'issuer', expected: ark.subjectText, found: crl.issuerText });
  }
  if (crl.authorityKeyId !== undefined && ark.subjectKeyId !== undefined && !bytesEqual(crl.authorityKeyId, ark.subjectKeyId)) {
    fail('CrlSignature', 'CRL authorityKeyIdentifier does not match the ARK', 'authorityKeyId', {
      field: 'authorityKeyIdentifier',
      expected: toHex(ark.subjectKeyId),
      found: toHex(crl.authorityKeyId),
    });
  }
  if (ark.keyUsage !== undefined && !ark.keyUsage.cRLSign) {
    fail('CrlSignature', 'ARK lacks the cRLSign key usage', 'keyUsage', { field: 'keyUsage', expected: 'cRLSign', found: 'absent' });
  }
  if (!(await verifyPssBy(ark, crl, opts.crypto))) {
    fail('CrlSignature', `CRL signature by ${ark.subjectText} does not verify`, 'signature', {
      field: 'signatureValue',
      expected: 'RSASSA-PSS-SHA384 signature by the ARK',
      found: crl.signatureAlgorithm,
    });
  }
  const window = `${isoTime(crl.thisUpdate)}..${crl.nextUpdate === undefined ? 'absent' : isoTime(crl.nextUpdate)}`;
  if (crl.nextUpdate === undefined || opts.at < crl.thisUpdate || opts.at > crl.nextUpdate) {
    fail('CrlExpired', `CRL of ${crl.issuerText} is not valid at ${isoTime(opts.at)}`, 'validity', {
      field: crl.nextUpdate === undefined ? 'nextUpdate' : opts.at < crl.thisUpdate ? 'thisUpdate' : 'nextUpdate',
      expected: window,
      found: isoTime(opts.at),
    });
  }
}
