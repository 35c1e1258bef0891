/**
 * DCAP quote verification: parse, then authenticate everything, then evaluate
 * the TCB, in the order of the Intel QVL (QuoteVerification.cpp and
 * Verifiers/QuoteVerifier.cpp, spec section 4.1.2.5). Policy (which statuses
 * and measurements are acceptable) is a separate step: see `policy/`.
 *
 * Pure: the time (`at`), the crypto backend and the root key are inputs; no
 * clock, network or global state is touched.
 */
import { VerifyError, attestationError } from '../errors.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { parseQuote } from '../quote/parse.js';
import type { Quote, SgxReportBody, TdReportBody, TdReportBody15Ex } from '../quote/types.js';
import { isDebugEnclave, isDebugTd, tdAttributeFlags } from '../quote/attributes.js';
import { parseCollateral, parseChain, type Collateral } from '../collateral/parse.js';
import type { CollateralInput } from '../collateral/input.js';
import type { Certificate } from '../x509/certificate.js';
import { parseSgxExtension, type SgxPckExtension } from '../x509/sgx-extension.js';
import { commonNames } from '../x509/name.js';
import { bytesEqual, concatBytes, isAllZero, toHex } from '../lib/bytes.js';
import { isoFromSeconds, toUnixSeconds } from '../lib/time.js';
import { checkQeIdentity } from '../tcb/qe-identity-check.js';
import { checkTdxModuleSigner } from '../tcb/tdx-module.js';
import { evaluateTcb, type TcbPass } from '../tcb/evaluate.js';
import { verifyChain } from './chain.js';
import { verifySignedJson } from './collateral.js';
import { intelRootPublicKey } from './root.js';
import { SignatureMemo, type VerificationCache } from './cache.js';
import { isCollateralJson } from '../collateral/input.js';
import type { PckClaims, SgxEnclaveClaims, Td15ExClaims, TcbPassClaims, TdClaims, VerifiedQuote } from './result.js';

export interface VerifyQuoteOptions {
  /** Verification time: unix seconds, ISO-8601 string or Date. Required: the core never reads a clock. */
  readonly at: number | string | Date;
  /** Trust anchor (65-byte uncompressed P-256 point). Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  /** Crypto backend. Default: WebCrypto when available, else @noble/curves. */
  readonly crypto?: CryptoBackend;
  /**
   * What may follow the quote's signature data. Default `'zeros'`: zero padding
   * (TDX guests hand out fixed 5006 / 8000-byte buffers) but no other byte.
   * `'reject'` is stricter; `'any'` accepts any trailing bytes, as the Intel QVL
   * does. Trailing bytes are never signed and never read.
   */
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /**
   * Reuse work across verifications (parsed PCK chains and collateral,
   * signature results of chains, CRLs, collateral and QE reports), all keyed
   * by exact bytes. Dates are still checked on every call. See `createVerifier`.
   */
  readonly cache?: VerificationCache;
}

const PCK_LEAF_CN = 'SGX PCK Certificate';

function isParsedQuote(q: unknown): q is Quote {
  if (typeof q !== 'object' || q === null) return false;
  const o = q as Partial<Quote>;
  return o.signedData instanceof Uint8Array && typeof o.signatureData === 'object' && typeof o.header === 'object';
}

function isParsedCollateral(c: unknown): c is Collateral {
  if (typeof c !== 'object' || c === null) return false;
  const t = (c as { tcbInfo?: unknown }).tcbInfo;
  return typeof t === 'object' && t !== null && typeof (t as { info?: unknown }).info === 'object';
}

function fail(code: ConstructorParameters<typeof VerifyError>[0], message: string, check: string, extra: { field?: string; expected?: string; found?: string } = {}): never {
  throw attestationError(code, message, { check, ...extra });
}

/** Which chain proves the PCK key: the quote's own certification data (type 5), else the collateral's. */
function pckChainOf(quote: Quote, collateral: Collateral, cache: VerificationCache | undefined): readonly Certificate[] {
  const cd = quote.signatureData.certificationData;
  if (cd.type === 5 && cd.pemChain !== undefined) {
    const hit = cache?.chains.get(cd.data);
    if (hit !== undefined) return hit;
    const chain = parseChain(cd.pemChain, 'quote.certificationData');
    cache?.chains.set(cd.data, chain);
    return chain;
  }
  if (collateral.pckChain !== undefined) return collateral.pckChain;
  throw attestationError('CollateralMissing', `quote certification data type ${cd.type} carries no PCK chain and the collateral has none`, {
    check: 'pck.chain.source',
    expected: 'certification data type 5 or collateral pck_certificate_chain',
    found: cd.type === 5 ? 'type 5 without PEM text' : `type ${cd.type}`,
  });
}

/** Parsed collateral, from the cache when the same input (object or content) was seen before. */
function collateralOf(input: CollateralInput | Collateral, cache: VerificationCache | undefined): Collateral {
  if (isParsedCollateral(input)) return input;
  if (cache === undefined || typeof input !== 'object' || input === null) return parseCollateral(input);
  const byObject = cache.collateralByObject.get(input);
  if (byObject !== undefined) return byObject;
  const key = contentKey(input);
  const byContent = key === undefined ? undefined : cache.collateralByContent.get(key);
  const parsed = byContent ?? parseCollateral(input);
  cache.collateralByObject.set(input, parsed);
  if (key !== undefined && byContent === undefined) cache.collateralByContent.set(key, parsed);
  return parsed;
}

/** A content key for collateral given as strings (both shapes); undefined when a field is binary. */
function contentKey(input: CollateralInput): string | undefined {
  const values: unknown[] = isCollateralJson(input)
    ? [input.tcb_info, input.tcb_info_signature, input.tcb_info_issuer_chain, input.qe_identity, input.qe_identity_signature,
       input.qe_identity_issuer_chain, input.root_ca_crl, input.pck_crl, input.pck_crl_issuer_chain, input.pck_certificate_chain ?? '']
    : [input.tcbInfo, input.tcbInfoIssuerChain, input.qeIdentity, input.qeIdentityIssuerChain, input.pckCrl,
       input.pckCrlIssuerChain, input.rootCaCrl, input.pckCertificateChain ?? ''];
  if (!values.every((v) => typeof v === 'string')) return undefined;
  return (isCollateralJson(input) ? 'json\0' : 'pcs\0') + values.join('\0');
}

function pckClaims(leaf: Certificate, issuer: Certificate | undefined, ext: SgxPckExtension): PckClaims {
  return {
    ca: issuer !== undefined && /Processor/.test(issuer.subjectText) ? 'processor' : 'platform',
    ppid: toHex(ext.ppid),
    cpusvn: toHex(ext.cpusvn),
    pcesvn: ext.pcesvn,
    tcbComponents: ext.tcbComponents,
    sgxType: ext.sgxType,
    ...(ext.platformInstanceId ? { platformInstanceId: toHex(ext.platformInstanceId) } : {}),
    ...(ext.configuration ? { configuration: ext.configuration } : {}),
    serial: leaf.serialHex,
    notAfter: leaf.notAfter,
  };
}

function sgxClaims(b: SgxReportBody): SgxEnclaveClaims {
  return {
    kind: 'sgx',
    mrEnclave: toHex(b.mrEnclave),
    mrSigner: toHex(b.mrSigner),
    isvProdId: b.isvProdId,
    isvSvn: b.isvSvn,
    cpuSvn: toHex(b.cpuSvn),
    miscSelect: b.miscSelect,
    attributes: toHex(b.attributes),
    reportData: toHex(b.reportData),
    debug: isDebugEnclave(b),
  };
}

function td15exClaims(b: TdReportBody15Ex): Td15ExClaims {
  return {
    vmid: b.vmid[0]!,
    tdId: toHex(b.tdId),
    devInfo: toHex(b.devInfo),
    initServTdHash: toHex(b.initServTdHash),
    initServTdAttributes: toHex(b.initServTdAttributes),
    initCpuSvn: toHex(b.initCpuSvn),
    initTeeTcbSvn: toHex(b.initTeeTcbSvn),
    initTeeFmspc: toHex(b.initTeeFmspc),
    curServTdHash: toHex(b.curServTdHash),
    curServTdAttributes: toHex(b.curServTdAttributes),
  };
}

function tcbPassClaims(p: TcbPass): TcbPassClaims {
  return { status: p.status, tcbDate: isoFromSeconds(p.tcbDate), advisoryIds: p.advisoryIds };
}

function tdClaims(b: TdReportBody): TdClaims {
  return {
    kind: b.kind,
    mrTd: toHex(b.mrTd),
    rtmr0: toHex(b.rtmr0),
    rtmr1: toHex(b.rtmr1),
    rtmr2: toHex(b.rtmr2),
    rtmr3: toHex(b.rtmr3),
    reportData: toHex(b.reportData),
    mrConfigId: toHex(b.mrConfigId),
    mrOwner: toHex(b.mrOwner),
    mrOwnerConfig: toHex(b.mrOwnerConfig),
    mrSeam: toHex(b.mrSeam),
    mrSignerSeam: toHex(b.mrSignerSeam),
    seamAttributes: toHex(b.seamAttributes),
    tdAttributes: toHex(b.tdAttributes),
    xfam: toHex(b.xfam),
    teeTcbSvn: toHex(b.teeTcbSvn),
    ...(b.kind !== 'td10' ? { teeTcbSvn2: toHex(b.teeTcbSvn2), mrServiceTd: toHex(b.mrServiceTd) } : {}),
    ...(b.kind === 'td15ex' ? { td15ex: td15exClaims(b) } : {}),
    debug: isDebugTd(b),
    septVeDisable: tdAttributeFlags(b.tdAttributes).septVeDisable,
  };
}

/**
 * Verify a DCAP quote against its collateral at time `at`.
 *
 * Returns the verified claims with the converged TCB status (which may be any
 * status, including OutOfDate or Revoked: accepting it is policy's job).
 * Throws an AttestationError with a stable code on any failure.
 */
export async function verifyQuote(
  quoteInput: Uint8Array | Quote,
  collateralInput: CollateralInput | Collateral,
  options: VerifyQuoteOptions,
): Promise<VerifiedQuote> {
  if (options === undefined || options === null || options.at === undefined) {
    throw attestationError('InvalidArgument', 'options.at (the verification time) is required', { check: 'options.at' });
  }
  const at = toUnixSeconds(options.at);
  const rawCrypto = options.crypto ?? defaultCryptoBackend();
  const cache = options.cache;
  // Chains, CRLs, collateral and the QE report go through a signature memo:
  // the long-lived one of the cache, or a per-call one that still avoids
  // checking the same root / CRL / signer certificate three times.
  const crypto = (cache?.signatures ?? new SignatureMemo(32)).wrap(rawCrypto);
  const rootPublicKey = options.rootPublicKey ?? intelRootPublicKey();
  const checks: string[] = [];

  // --- 1. Parse -------------------------------------------------------------
  let quote: Quote;
  if (quoteInput instanceof Uint8Array) {
    quote = parseQuote(quoteInput, { trailingBytes: options.trailingBytes ?? 'zeros' });
  } else if (isParsedQuote(quoteInput)) {
    quote = quoteInput;
  } else {
    throw attestationError('InvalidArgument', 'quote must be a Uint8Array or a parsed Quote', {
      check: 'arguments.quote',
      found: quoteInput === null ? 'null' : typeof quoteInput,
    });
  }
  const collateral = collateralOf(collateralInput, cache);
  const tcbInfo = collateral.tcbInfo.info;
  const qeIdentity = collateral.qeIdentity.identity;
  const sig = quote.signatureData;
  checks.push('quote.parse', 'collateral.parse');

  // --- 2. PCK chain to the pinned root, with both CRLs (4.1.2.1, 4.1.2.5.5-8) ---
  const pckChain = pckChainOf(quote, collateral, cache);
  await verifyChain(pckChain, {
    rootPublicKey,
    at,
    crypto,
    crls: [collateral.rootCaCrl, collateral.pckCrl],
    context: 'pck',
    failCode: 'PckChain',
  });
  checks.push('pck.chain', 'pck.crl');
  const pckLeaf = pckChain[0]!;
  if (!commonNames(pckLeaf.subject).some((cn) => cn.includes(PCK_LEAF_CN))) {
    fail('CertificateInvalid', 'PCK leaf subject CN does not contain "SGX PCK Certificate"', 'pck.leaf.subject', {
      field: 'subject',
      expected: PCK_LEAF_CN,
      found: pckLeaf.subjectText,
    });
  }
  // 4.1.2.5.7: the PCK CRL must be the one issued by the leaf's CA.
  if (!bytesEqual(collateral.pckCrl.issuer, pckLeaf.issuer)) {
    fail('PckChain', 'PCK CRL issuer differs from the PCK certificate issuer', 'pck.crl.issuer', {
      field: 'pck_crl.issuer',
      expected: pckLeaf.issuerText,
      found: collateral.pckCrl.issuerText,
    });
  }
  // The PCK CRL issuer chain must lead from the CRL's issuer to the pinned root
  // too (its CA is normally the PCK chain's own, so the signatures are memo hits).
  await verifyChain(collateral.pckCrlChain, {
    rootPublicKey,
    at,
    crypto,
    crls: [collateral.rootCaCrl],
    context: 'pckCrlChain',
    failCode: 'PckChain',
  });
  if (!bytesEqual(collateral.pckCrlChain[0]!.subject, collateral.pckCrl.issuer)) {
    fail('PckChain', 'PCK CRL issuer chain does not start with the CRL issuer', 'pckCrlChain.issuer', {
      field: 'pck_crl_issuer_chain[0].subject',
      expected: collateral.pckCrl.issuerText,
      found: collateral.pckCrlChain[0]!.subjectText,
    });
  }
  checks.push('pckCrlChain');
  let ext = cache?.sgxExtensions.get(pckLeaf);
  if (ext === undefined) {
    ext = parseSgxExtension(pckLeaf);
    cache?.sgxExtensions.set(pckLeaf, ext);
  }

  // --- 3. Collateral authenticity (TCB Info, QE Identity) ------------------
  const collateralCtx = { at, crypto, rootPublicKey, rootCaCrl: collateral.rootCaCrl };
  await verifySignedJson(collateralCtx, 'tcbInfo', {
    bytes: tcbInfo.bytes,
    signature: collateral.tcbInfo.signature,
    chain: collateral.tcbInfo.chain,
    issueDate: tcbInfo.issueDate,
    nextUpdate: tcbInfo.nextUpdate,
  });
  checks.push('tcbInfo.signature', 'tcbInfo.validity');
  await verifySignedJson(collateralCtx, 'qeIdentity', {
    bytes: qeIdentity.bytes,
    signature: collateral.qeIdentity.signature,
    chain: collateral.qeIdentity.chain,
    issueDate: qeIdentity.issueDate,
    nextUpdate: qeIdentity.nextUpdate,
  });
  checks.push('qeIdentity.signature', 'qeIdentity.validity');

  // --- 4. Collateral fits the quote (4.1.2.5.10-11) -------------------------
  if (tcbInfo.version >= 3 ? tcbInfo.id !== quote.teeType : quote.teeType === 'TDX') {
    fail('CollateralMismatch', `TCB Info ${tcbInfo.id} v${tcbInfo.version} does not fit a ${quote.teeType} quote`, 'tcbInfo.id', {
      field: 'tcbInfo.id',
      expected: quote.teeType,
      found: `${tcbInfo.id} v${tcbInfo.version}`,
    });
  }
  if (!bytesEqual(ext.fmspc, tcbInfo.fmspc)) {
    fail('FmspcMismatch', 'FMSPC of the PCK certificate differs from the TCB Info', 'tcbInfo.fmspc', {
      field: 'fmspc',
      expected: toHex(ext.fmspc),
      found: toHex(tcbInfo.fmspc),
    });
  }
  if (!bytesEqual(ext.pceId, tcbInfo.pceId)) {
    fail('PceIdMismatch', 'PCE-ID of the PCK certificate differs from the TCB Info', 'tcbInfo.pceId', {
      field: 'pceId',
      expected: toHex(ext.pceId),
      found: toHex(tcbInfo.pceId),
    });
  }
  checks.push('tcbInfo.fmspc', 'tcbInfo.pceId');

  // --- 5. TDX module signer (4.1.2.5.12) ------------------------------------
  if (quote.teeType === 'TDX' && tcbInfo.id === 'TDX') {
    checkTdxModuleSigner(tcbInfo, quote.version, quote.body);
    checks.push('tdxModule.signer');
  }

  // --- 6. QE report signed by the PCK key (4.1.2.5.13) ----------------------
  if (!(await crypto.verifyP256(pckLeaf.publicKey, sig.qeReportRaw, sig.qeReportSignature))) {
    fail('QeReportSignature', 'QE report signature does not verify with the PCK key', 'qeReport.signature');
  }
  checks.push('qeReport.signature');

  // --- 7. QE report binds the attestation key (4.1.2.5.14) ------------------
  const binding = crypto.sha256(concatBytes(sig.attestationKey, sig.qeAuthData));
  const reportData = sig.qeReport.reportData;
  if (!bytesEqual(reportData.subarray(0, 32), binding) || !isAllZero(reportData.subarray(32))) {
    fail('QeReportBinding', 'QE report data is not SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes', 'qeReport.reportData', {
      field: 'reportData',
      expected: toHex(binding) + '00'.repeat(32),
      found: toHex(reportData),
    });
  }
  checks.push('qeReport.binding');

  // --- 8. QE identity (4.1.2.5.15-16) ----------------------------------------
  const qe = checkQeIdentity(qeIdentity, quote.teeType, sig.qeReport);
  checks.push('qeIdentity.report');

  // --- 9. Quote signed by the attestation key (4.1.2.5.17) ------------------
  // Always checked afresh (never memoised): it is the per-quote work.
  const attestationKey = concatBytes(Uint8Array.of(0x04), sig.attestationKey);
  if (!(await rawCrypto.verifyP256(attestationKey, quote.signedData, sig.signature))) {
    fail('QuoteSignature', 'quote signature does not verify with the attestation key', 'quote.signature');
  }
  checks.push('quote.signature');

  // --- 10. TCB evaluation (4.1.2.5.18) --------------------------------------
  const tdBody = quote.teeType === 'TDX' ? (quote.body as TdReportBody) : undefined;
  const evaluation = evaluateTcb(tcbInfo, {
    teeType: quote.teeType,
    quoteVersion: quote.version,
    pckComponents: ext.tcbComponents,
    pckPcesvn: ext.pcesvn,
    ...(tdBody ? { teeTcbSvn: tdBody.teeTcbSvn } : {}),
    ...(tdBody !== undefined && tdBody.kind !== 'td10' ? { teeTcbSvn2: tdBody.teeTcbSvn2 } : {}),
    qe,
  });
  checks.push('tcb.evaluate');

  const expiries = [
    tcbInfo.nextUpdate,
    qeIdentity.nextUpdate,
    collateral.rootCaCrl.nextUpdate ?? at,
    collateral.pckCrl.nextUpdate ?? at,
    ...pckChain.map((c) => c.notAfter),
    ...collateral.tcbInfo.chain.map((c) => c.notAfter),
    ...collateral.qeIdentity.chain.map((c) => c.notAfter),
  ];

  return {
    teeType: quote.teeType,
    quoteVersion: quote.version,
    status: evaluation.status,
    advisoryIds: evaluation.advisoryIds,
    tcbDate: isoFromSeconds(evaluation.tcbDate),
    platformStatus: evaluation.platformLevel.status,
    sgxStatus: evaluation.sgxStatus,
    qeStatus: evaluation.qeLevel?.status ?? 'UpToDate',
    ...(evaluation.moduleLevel
      ? { moduleStatus: evaluation.moduleLevel.status, moduleIdentity: evaluation.moduleLevel.identityId }
      : {}),
    ...(evaluation.current
      ? { launchTcb: tcbPassClaims(evaluation.launch), currentTcb: tcbPassClaims(evaluation.current) }
      : {}),
    // VerificationCollateralInfo: the minimum over the TCB Info and QE Identity used.
    tcbEvaluationDataNumber: Math.min(tcbInfo.tcbEvaluationDataNumber, qeIdentity.tcbEvaluationDataNumber),
    fmspc: toHex(ext.fmspc),
    pceId: toHex(ext.pceId),
    pck: pckClaims(pckLeaf, pckChain[1], ext),
    qe: {
      mrEnclave: toHex(sig.qeReport.mrEnclave),
      mrSigner: toHex(sig.qeReport.mrSigner),
      isvProdId: sig.qeReport.isvProdId,
      isvSvn: sig.qeReport.isvSvn,
    },
    report: quote.body.kind === 'sgx' ? sgxClaims(quote.body) : tdClaims(quote.body),
    collateralExpiresAt: Math.min(...expiries),
    verifiedAt: at,
    checks,
    quote,
  };
}
