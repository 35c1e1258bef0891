/**
 * verifySnpAttestation: an SEV-SNP attestation report and its endorsements
 * (VCEK or VLEK, optionally the ASK / ASVK, ARK and the ARK's CRL) → typed,
 * verified claims, or a coded error. Pure: the time, the crypto backend and
 * the trust anchors are inputs; no clock, no network, no global state.
 *
 * Steps (first failure wins; each has its own codes):
 *   1. parse the report (report.ts)                  SnpReportParse, SnpReportUnsupported
 *   2. SIGNING_KEY is VCEK or VLEK and that certificate was supplied
 *                                                     SnpSigningKeyMismatch, CollateralMissing
 *   3. parse the VCEK / VLEK and its AMD extensions   CertificateParse, SnpExtensionParse
 *   4. one product: report CPUID (v3+), certificate productName, caller's `product`
 *                                                     SnpProductMismatch
 *   5. chain ARK → ASK / ASVK → VCEK / VLEK at `at`, ARK pinned, CRL when given
 *      (chain.ts)                                     SnpCertChain, UntrustedRoot, CertificateInvalid,
 *                                                     CertificateExpired, Crl*
 *   6. report signature: ECDSA P-384 / SHA-384 by the VCEK / VLEK over bytes
 *      0x000..0x29F (ABI spec Table 23, Table 139)     SnpReportSignature
 *   7. REPORTED_TCB equals the certificate's SPLs (VCEK spec Table 8; fmc on Turin)
 *                                                     SnpTcbMismatch
 *   8. VCEK only: CHIP_ID equals hwID (first 8 bytes on Turin); a masked
 *      CHIP_ID (MASK_CHIP_KEY) must be all zeros and skips this check
 *                                                     SnpChipIdMismatch
 *
 * A verified report is genuine; whether it is acceptable (debug, TCB
 * minimums, measurement, ...) is the policy's job (policy.ts).
 */
import { bytesEqual, concatBytes, toHex } from '../lib/bytes.js';
import type { AnyAlgCertificate } from '../x509/certificate.js';
import type { AnyAlgCrl } from '../x509/crl.js';
import { verifySnpChain, commonName, type SnpKeyType } from './chain.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultSnpCryptoBackend, missingSnpOperation } from './crypto.js';
import { parseEndorsementExtensions, type SnpEndorsementExtensions } from './extensions.js';
import { checkAt, snpFail } from './fail.js';
import type { SnpGuestPolicy, SnpPlatformInfo, SnpSignerInfo } from './guest-policy.js';
import { certificateFromInput, certificatesFromInput, crlFromInput, type CertificateInput } from './inputs.js';
import { isSnpProduct, type SnpProduct } from './product.js';
import { firmwareVersionText, parseSnpReport, type SnpReport } from './report.js';
import { amdArkPins, builtinCaCert, type ArkPins } from './roots.js';
import { tcbComponents, tcbText, type SnpTcb } from './tcb.js';

export interface SnpEndorsements {
  /** The VCEK (DER, PEM or hex): required when the report's SIGNING_KEY is VCEK. */
  readonly vcek?: CertificateInput;
  /** The VLEK: required when SIGNING_KEY is VLEK. */
  readonly vlek?: CertificateInput;
  /**
   * The ASK / ASVK and / or the ARK (a KDS cert_chain body, PEM blocks or DER
   * certificates, in any order). What is absent is taken from the built-in AMD
   * certificates (builtin-certs.ts); either way the ARK must carry the pinned key.
   */
  readonly certChain?: CertificateInput;
  /** The ARK's CRL (KDS /vcek/v1/{product}/crl or /vlek/...): DER, PEM or hex. Checked when present. */
  readonly crl?: Uint8Array | string;
}

export interface VerifySnpOptions {
  /** Verification time, unix seconds. Required: no clock is read. */
  readonly at: number;
  readonly crypto?: CryptoBackend;
  /** Trust anchors. Default: AMD's production ARKs (roots.ts). */
  readonly arkPins?: ArkPins;
  /** The expected product; also selects the TCB layout of a v2 report. */
  readonly product?: SnpProduct;
  /** Fail with CollateralMissing when no CRL is supplied. Default false (a supplied CRL is always checked). */
  readonly requireCrl?: boolean;
}

/** Claims of a verified SEV-SNP report. Byte fields are lower-case hex. */
export interface VerifiedSnpReport {
  readonly product: SnpProduct;
  readonly signingKey: SnpKeyType;
  readonly reportVersion: 2 | 3 | 5;
  readonly measurement: string;
  readonly reportData: string;
  readonly hostData: string;
  readonly familyId: string;
  readonly imageId: string;
  readonly idKeyDigest: string;
  readonly authorKeyDigest: string;
  readonly reportId: string;
  readonly reportIdMa: string;
  readonly chipId: string;
  readonly guestSvn: number;
  readonly vmpl: number;
  readonly policy: SnpGuestPolicy;
  /** Guest policy DEBUG bit: the host can read and write guest memory. */
  readonly debug: boolean;
  readonly platformInfo: SnpPlatformInfo;
  readonly signerInfo: SnpSignerInfo;
  readonly reportedTcb: SnpTcb;
  readonly currentTcb: SnpTcb;
  readonly committedTcb: SnpTcb;
  readonly launchTcb: SnpTcb;
  /** "major.minor.build" */
  readonly currentFirmware: string;
  readonly committedFirmware: string;
  readonly cpuid?: { readonly family: number; readonly model: number; readonly stepping: number };
  readonly launchMitVector?: string;
  readonly currentMitVector?: string;
  /** The VCEK / VLEK that signed the report. */
  readonly endorsement: {
    readonly subject: string;
    readonly serial: string;
    readonly notBefore: number;
    readonly notAfter: number;
    readonly extensions: SnpEndorsementExtensions;
  };
  /** How CHIP_ID was bound: compared with the VCEK hwID, masked by the host, or not applicable (VLEK). */
  readonly chipIdCheck: 'matched' | 'masked' | 'not-applicable';
  readonly crlChecked: boolean;
  /** Unix seconds: the earliest certificate notAfter / CRL nextUpdate. */
  readonly expiresAt: number;
  readonly verifiedAt: number;
  /** Checks that passed, in order. */
  readonly checks: readonly string[];
  readonly report: SnpReport;
}

function productMismatch(message: string, field: string, expected: string, found: string): never {
  return snpFail('SnpProductMismatch', message, { check: 'snp.product', field, expected, found });
}

interface CaCerts {
  intermediate?: AnyAlgCertificate;
  ark?: AnyAlgCertificate;
}

/** Sorts supplied CA certificates by role (CN ARK-*, SEV-*, SEV-VLEK-*). */
function caCertsFrom(input: CertificateInput | undefined, keyType: SnpKeyType): CaCerts {
  const out: CaCerts = {};
  if (input === undefined) return out;
  for (const c of certificatesFromInput(input, 'certChain')) {
    const cn = commonName(c.subjectText) ?? '';
    if (cn.startsWith('ARK-')) {
      if (out.ark !== undefined) snpFail('SnpCertChain', 'certChain holds two ARKs', { check: 'snp.chain.input', field: 'certChain', found: cn });
      out.ark = c;
    } else if (keyType === 'VLEK' ? cn.startsWith('SEV-VLEK-') : cn.startsWith('SEV-') && !cn.startsWith('SEV-VLEK-')) {
      if (out.intermediate !== undefined) snpFail('SnpCertChain', 'certChain holds two intermediate certificates', { check: 'snp.chain.input', field: 'certChain', found: cn });
      out.intermediate = c;
    }
    // Certificates of the other key type (an ASVK in a VCEK chain) are ignored, as KDS bundles carry both.
  }
  return out;
}

export async function verifySnpAttestation(
  report: Uint8Array | SnpReport,
  endorsements: SnpEndorsements,
  options: VerifySnpOptions,
): Promise<VerifiedSnpReport> {
  const at = checkAt(options?.at);
  if (options.product !== undefined && !isSnpProduct(options.product)) {
    snpFail('InvalidArgument', 'options.product must be Milan, Genoa or Turin', { check: 'options.product', found: String(options.product) });
  }
  if (endorsements === null || typeof endorsements !== 'object') {
    snpFail('InvalidArgument', 'endorsements must be an object ({ vcek | vlek, certChain?, crl? })', { check: 'snp.endorsements' });
  }
  const crypto = options.crypto ?? defaultSnpCryptoBackend();
  const checks: string[] = [];

  // 1. Parse.
  let r = report instanceof Uint8Array ? parseSnpReport(report, options.product === undefined ? {} : { product: options.product }) : report;
  checks.push('snp.report.parse');

  // 2. Signing key.
  const signing = r.signerInfo.signingKey;
  if (signing === 'none') {
    snpFail('SnpSigningKeyMismatch', 'the report is not signed (SIGNING_KEY = 7)', { check: 'snp.signingKey', field: 'SIGNING_KEY', expected: 'VCEK | VLEK', found: 'none' });
  }
  const leafInput = signing === 'VCEK' ? endorsements.vcek : endorsements.vlek;
  if (leafInput === undefined) {
    const other = signing === 'VCEK' ? endorsements.vlek : endorsements.vcek;
    if (other !== undefined) {
      snpFail('SnpSigningKeyMismatch', `the report is signed by its ${signing}, but a ${signing === 'VCEK' ? 'VLEK' : 'VCEK'} was supplied`, {
        check: 'snp.signingKey',
        field: 'SIGNING_KEY',
        expected: signing === 'VCEK' ? 'vcek' : 'vlek',
        found: signing === 'VCEK' ? 'vlek' : 'vcek',
      });
    }
    snpFail('CollateralMissing', `no ${signing} certificate supplied`, { check: 'snp.endorsements', field: signing.toLowerCase(), expected: `${signing} certificate`, found: 'absent' });
  }
  checks.push('snp.signingKey');

  // 3. The endorsement certificate.
  const leaf = certificateFromInput(leafInput, signing.toLowerCase());
  const ext = parseEndorsementExtensions(leaf);
  checks.push('snp.endorsement.extensions');

  // 4. Product.
  const product = ext.product;
  if (r.version >= 3 && r.product !== product) {
    productMismatch(`report CPUID is ${r.product}, the ${signing} is for ${product}`, 'CPUID', product, String(r.product));
  }
  if (options.product !== undefined && options.product !== product) {
    productMismatch(`expected a ${options.product} report, the ${signing} is for ${product}`, 'product', options.product, product);
  }
  if (r.version === 2 && r.product === undefined) {
    // v2 carries no CPUID: decode the TCB values with the certificate's product layout.
    r = parseSnpReport(r.bytes, { product });
  } else if (r.version === 2 && r.product !== product) {
    productMismatch(`report was parsed as ${r.product}, the ${signing} is for ${product}`, 'product', product, String(r.product));
  }
  checks.push('snp.product');

  // 5. Chain.
  const ca = caCertsFrom(endorsements.certChain, signing);
  const intermediate = ca.intermediate ?? builtinCaCert(product, signing === 'VCEK' ? 'ask' : 'asvk');
  const ark = ca.ark ?? builtinCaCert(product, 'ark');
  let crl: AnyAlgCrl | undefined;
  if (endorsements.crl !== undefined) crl = crlFromInput(endorsements.crl);
  else if (options.requireCrl === true) {
    snpFail('CollateralMissing', 'a CRL is required (requireCrl) but none was supplied', { check: 'snp.crl.required', field: 'crl', expected: 'ARK CRL', found: 'absent' });
  }
  const chain = await verifySnpChain(
    { product, keyType: signing, leaf, intermediate, ark },
    { at, crypto, arkPins: options.arkPins ?? amdArkPins(), crl },
  );
  checks.push(...chain.checks);

  // 6. Report signature.
  const key = leaf.publicKeyInfo;
  const sig = concatBytes(r.signatureR, r.signatureS);
  if (crypto.verifyP384 === undefined) missingSnpOperation(crypto, 'verifyP384');
  if (key.kind !== 'ec' || !(await crypto.verifyP384(key.point, r.signedBytes, sig))) {
    snpFail('SnpReportSignature', `report signature by the ${signing} does not verify`, {
      check: 'snp.report.signature',
      field: 'SIGNATURE',
      expected: `ECDSA P-384 / SHA-384 signature by ${key.kind === 'ec' ? toHex(key.point).slice(0, 32) + '…' : 'an EC key'}`,
      found: toHex(sig).slice(0, 32) + '…',
    });
  }
  checks.push('snp.report.signature');

  // 7. REPORTED_TCB vs the certificate's SPLs.
  const differing = tcbComponents(r.tcbLayout).filter((c) => (c === 'fmc' ? r.reportedTcb.fmc !== ext.fmc : r.reportedTcb[c] !== ext[c]));
  if (differing.length > 0) {
    snpFail('SnpTcbMismatch', `REPORTED_TCB differs from the ${signing} SPLs (${differing.join(', ')})`, {
      check: 'snp.tcb.reported',
      field: 'REPORTED_TCB',
      expected: tcbText(ext),
      found: tcbText(r.reportedTcb),
    });
  }
  checks.push('snp.tcb.reported');

  // 8. CHIP_ID.
  let chipIdCheck: VerifiedSnpReport['chipIdCheck'] = 'not-applicable';
  if (signing === 'VCEK') {
    if (r.signerInfo.maskChipKey) {
      if (r.chipId.some((x) => x !== 0)) {
        snpFail('SnpChipIdMismatch', 'MASK_CHIP_KEY is set but CHIP_ID is not zero', { check: 'snp.chipId.masked', field: 'CHIP_ID', expected: 'all zero', found: toHex(r.chipId) });
      }
      chipIdCheck = 'masked';
    } else {
      const hw = ext.hwId;
      if (hw === undefined) {
        snpFail('SnpExtensionParse', 'VCEK lacks the hwID extension', { check: 'snp.vcek.extension', field: '1.3.6.1.4.1.3704.1.4', expected: 'hwID', found: 'absent' });
      }
      const reported = r.chipId.subarray(0, hw.length);
      if (!bytesEqual(reported, hw)) {
        snpFail('SnpChipIdMismatch', 'CHIP_ID differs from the VCEK hwID', {
          check: 'snp.chipId',
          field: 'CHIP_ID',
          expected: toHex(hw),
          found: toHex(reported),
        });
      }
      chipIdCheck = 'matched';
    }
    checks.push('snp.chipId');
  }

  return {
    product,
    signingKey: signing,
    reportVersion: r.version,
    measurement: toHex(r.measurement),
    reportData: toHex(r.reportData),
    hostData: toHex(r.hostData),
    familyId: toHex(r.familyId),
    imageId: toHex(r.imageId),
    idKeyDigest: toHex(r.idKeyDigest),
    authorKeyDigest: toHex(r.authorKeyDigest),
    reportId: toHex(r.reportId),
    reportIdMa: toHex(r.reportIdMa),
    chipId: toHex(r.chipId),
    guestSvn: r.guestSvn,
    vmpl: r.vmpl,
    policy: r.policy,
    debug: r.policy.debug,
    platformInfo: r.platformInfo,
    signerInfo: r.signerInfo,
    reportedTcb: r.reportedTcb,
    currentTcb: r.currentTcb,
    committedTcb: r.committedTcb,
    launchTcb: r.launchTcb,
    currentFirmware: firmwareVersionText(r.currentVersion),
    committedFirmware: firmwareVersionText(r.committedVersion),
    cpuid: r.cpuid,
    launchMitVector: r.launchMitVector,
    currentMitVector: r.currentMitVector,
    endorsement: { subject: leaf.subjectText, serial: leaf.serialHex, notBefore: leaf.notBefore, notAfter: leaf.notAfter, extensions: ext },
    chipIdCheck,
    crlChecked: chain.crlChecked,
    expiresAt: chain.expiresAt,
    verifiedAt: at,
    checks,
    report: r,
  };
}
