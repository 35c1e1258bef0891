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
import { parseQuote, pemText } from '../quote/parse.js';
import type { Quote, SgxReportBody, TdReportBody, TdReportBody15Ex } from '../quote/types.js';
import { isDebugEnclave, isDebugTd, isSeptVeDisabled } from '../quote/attributes.js';
import { parseCollateralWith, parseChain, type CertificateMemo, type Collateral } from '../collateral/parse.js';
import { COLLATERAL_JSON_FIELDS, PCS_COLLATERAL_FIELDS, type CollateralInput } from '../collateral/input.js';
import type { Certificate } from '../x509/certificate.js';
import { parseSgxExtension, type SgxPckExtension } from '../x509/sgx-extension.js';
import { commonNames } from '../x509/name.js';
import { bytesEqual, concatBytes, isAllZero, toHex } from '../lib/bytes.js';
import { isoFromSeconds, toUnixSeconds } from '../lib/time.js';
import { checkQeIdentity } from '../tcb/qe-identity-check.js';
import { checkTdxModuleSigner } from '../tcb/tdx-module.js';
import { evaluateTcb, type TcbPass } from '../tcb/evaluate.js';
import { verifyChain } from './chain.js';
import { verifyCollateralDocuments } from './collateral.js';
import { intelRootPublicKey } from './root.js';
import { SignatureMemo, inWindow, type ChainEntry, type CollateralEntry, type PckFacts, type VerificationCache, type Window } from './cache.js';
import { LruMap } from '../lib/lru.js';
import { BytesMap } from '../lib/bytes-map.js';
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
const NO_BYTES = new Uint8Array(0);

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
function pckChainOf(quote: Quote, collateral: Collateral, memo: CertificateMemo): readonly Certificate[] {
  const cd = quote.signatureData.certificationData;
  if (cd.type === 5 && cd.pemChain !== undefined) return parseChain(cd.pemChain, memo);
  if (collateral.pckChain !== undefined) return collateral.pckChain;
  throw attestationError('CollateralMissing', `quote certification data type ${cd.type} carries no PCK chain and the collateral has none`, {
    check: 'pck.chain.source',
    expected: 'certification data type 5 or collateral pck_certificate_chain',
    found: cd.type === 5 ? 'type 5 without PEM text' : `type ${cd.type}`,
  });
}

/** The cached PCK chain entry: by the quote's exact certification data bytes, or the collateral entry the chain came with. */
function pckChainEntryOf(quote: Quote, collateral: Collateral, entry: CollateralEntry | undefined, cache: VerificationCache): ChainEntry | undefined {
  const cd = quote.signatureData.certificationData;
  if (cd.type === 5) {
    // By the exact certification data bytes (the PEM text is decoded only on a miss).
    const hit = cache.chains.find(cd.data);
    if (hit !== undefined) return hit;
    // The text comes from the very bytes the entry is keyed by (never from a
    // caller-parsed Quote's own pemChain field).
    const pem = pemText(cd.data);
    if (pem !== undefined) return cache.chains.add(cd.data, parseChain(pem, cache.certificates));
  }
  // A chain from the collateral belongs to the collateral entry (exact content); a caller-parsed collateral has none.
  if (entry === undefined || collateral.pckChain === undefined) return undefined;
  return entry.pckChain ?? (entry.pckChain = { id: cache.nextId(), certs: collateral.pckChain, facts: new LruMap(16) });
}

/**
 * The cached entry for collateral given in either input shape, keyed by the
 * exact content of every field. Each field is read once into a private
 * snapshot (byte arrays copied), and both the key and the parse come from that
 * snapshot. Undefined for a parsed Collateral (the caller's own objects are
 * never cached) and for inputs the parser will refuse.
 */
function collateralEntryOf(input: CollateralInput | Collateral, cache: VerificationCache): CollateralEntry | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || isParsedCollateral(input)) return undefined;
  const json = 'tcb_info' in input;
  const fields: readonly string[] = json ? COLLATERAL_JSON_FIELDS : PCS_COLLATERAL_FIELDS;
  const values: (string | Uint8Array | undefined)[] = [];
  for (const f of fields) {
    const v = (input as unknown as Record<string, unknown>)[f];
    if (v !== undefined && typeof v !== 'string' && !(v instanceof Uint8Array)) return undefined;
    values.push(v);
  }
  const recent = cache.recentCollateral(json, values);
  if (recent !== undefined) return recent;
  // A private snapshot: the key and the parse both come from it.
  const own = values.map((v) => (v instanceof Uint8Array ? v.slice() : v));
  const snapshot: Record<string, string | Uint8Array> = {};
  let key = json ? 'j' : 'p';
  own.forEach((v, i) => {
    if (v === undefined) key += ',-';
    else {
      snapshot[fields[i]!] = v;
      key += `,${cache.idOf(v)}`;
    }
  });
  let entry = cache.collateral.get(key);
  if (entry === undefined) {
    entry = { id: cache.nextId(), collateral: parseCollateralWith(snapshot as unknown as CollateralInput, cache.certificates), verified: new Map() };
    cache.collateral.set(key, entry);
  }
  cache.rememberCollateral(json, own, entry);
  return entry;
}

function widen(w: { from: number; until: number }, from: number, until: number | undefined): void {
  if (from > w.from) w.from = from;
  const u = until ?? -Infinity;
  if (u < w.until) w.until = u;
}

/** Every date the PCK chain checks look at: the chain's certificates and both CRLs. */
function pckWindow(chain: readonly Certificate[], c: Collateral): Window {
  const w = { from: -Infinity, until: Infinity };
  for (const cert of chain) widen(w, cert.notBefore, cert.notAfter);
  widen(w, c.rootCaCrl.thisUpdate, c.rootCaCrl.nextUpdate);
  widen(w, c.pckCrl.thisUpdate, c.pckCrl.nextUpdate);
  return w;
}

/** Every date the collateral's own checks look at: issuer chains, Root CA CRL, TCB Info and QE Identity. */
function collateralWindow(c: Collateral): Window {
  const w = { from: -Infinity, until: Infinity };
  for (const cert of [...c.tcbInfo.chain, ...c.qeIdentity.chain, ...c.pckCrlChain]) widen(w, cert.notBefore, cert.notAfter);
  widen(w, c.rootCaCrl.thisUpdate, c.rootCaCrl.nextUpdate);
  widen(w, c.tcbInfo.info.issueDate, c.tcbInfo.info.nextUpdate);
  widen(w, c.qeIdentity.identity.issueDate, c.qeIdentity.identity.nextUpdate);
  return w;
}

function pckClaims(leaf: Certificate, issuer: Certificate | undefined, ext: SgxPckExtension): PckClaims {
  return {
    ca: issuer !== undefined && /Processor/.test(issuer.subjectText) ? 'processor' : 'platform',
    ppid: toHex(ext.ppid),
    cpusvn: toHex(ext.cpusvn),
    pcesvn: ext.pcesvn,
    // Copies: `ext` may be a cached fact; a caller mutating its result must
    // never reach it (nothing cached is handed out by reference).
    tcbComponents: [...ext.tcbComponents],
    sgxType: ext.sgxType,
    ...(ext.platformInstanceId ? { platformInstanceId: toHex(ext.platformInstanceId) } : {}),
    ...(ext.configuration ? { configuration: { ...ext.configuration } } : {}),
    serial: leaf.serialHex,
    notAfter: leaf.notAfter,
  };
}

type Hex = (field: Uint8Array) => string;

/**
 * Hex of fields that lie inside `base`: one hex string of `base`, sliced per
 * field (one conversion instead of one per field); a field elsewhere (a
 * caller-parsed Quote) is converted on its own.
 */
function hexWithin(base: Uint8Array): Hex {
  let all: string | undefined;
  return (f) => {
    const at = f.byteOffset - base.byteOffset;
    if (f.buffer !== base.buffer || at < 0 || at + f.length > base.length) return toHex(f);
    all ??= toHex(base);
    return all.slice(2 * at, 2 * (at + f.length));
  };
}

function sgxClaims(b: SgxReportBody, hex: Hex): SgxEnclaveClaims {
  return {
    kind: 'sgx',
    mrEnclave: hex(b.mrEnclave),
    mrSigner: hex(b.mrSigner),
    isvProdId: b.isvProdId,
    isvSvn: b.isvSvn,
    cpuSvn: hex(b.cpuSvn),
    miscSelect: b.miscSelect,
    attributes: hex(b.attributes),
    reportData: hex(b.reportData),
    debug: isDebugEnclave(b),
  };
}

function td15exClaims(b: TdReportBody15Ex, hex: Hex): Td15ExClaims {
  return {
    vmid: b.vmid[0]!,
    tdId: hex(b.tdId),
    devInfo: hex(b.devInfo),
    initServTdHash: hex(b.initServTdHash),
    initServTdAttributes: hex(b.initServTdAttributes),
    initCpuSvn: hex(b.initCpuSvn),
    initTeeTcbSvn: hex(b.initTeeTcbSvn),
    initTeeFmspc: hex(b.initTeeFmspc),
    curServTdHash: hex(b.curServTdHash),
    curServTdAttributes: hex(b.curServTdAttributes),
  };
}

function tcbPassClaims(p: TcbPass): TcbPassClaims {
  return { status: p.status, tcbDate: isoFromSeconds(p.tcbDate), advisoryIds: [...p.advisoryIds] };
}

function tdClaims(b: TdReportBody, hex: Hex): TdClaims {
  return {
    kind: b.kind,
    mrTd: hex(b.mrTd),
    rtmr0: hex(b.rtmr0),
    rtmr1: hex(b.rtmr1),
    rtmr2: hex(b.rtmr2),
    rtmr3: hex(b.rtmr3),
    reportData: hex(b.reportData),
    mrConfigId: hex(b.mrConfigId),
    mrOwner: hex(b.mrOwner),
    mrOwnerConfig: hex(b.mrOwnerConfig),
    mrSeam: hex(b.mrSeam),
    mrSignerSeam: hex(b.mrSignerSeam),
    seamAttributes: hex(b.seamAttributes),
    tdAttributes: hex(b.tdAttributes),
    xfam: hex(b.xfam),
    teeTcbSvn: hex(b.teeTcbSvn),
    ...(b.kind !== 'td10' ? { teeTcbSvn2: hex(b.teeTcbSvn2), mrServiceTd: hex(b.mrServiceTd) } : {}),
    ...(b.kind === 'td15ex' ? { td15ex: td15exClaims(b, hex) } : {}),
    debug: isDebugTd(b),
    septVeDisable: isSeptVeDisabled(b),
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
  const colEntry = cache === undefined ? undefined : collateralEntryOf(collateralInput, cache);
  // Certificates parsed in this call, by their exact PEM text: Intel's root
  // and CA certificates recur in the quote's chain and the collateral's chains.
  const certificates: CertificateMemo = cache?.certificates ?? new Map();
  const collateral =
    colEntry?.collateral ?? (isParsedCollateral(collateralInput) ? collateralInput : parseCollateralWith(collateralInput, certificates));
  const tcbInfo = collateral.tcbInfo.info;
  const qeIdentity = collateral.qeIdentity.identity;
  const sig = quote.signatureData;
  checks.push('quote.parse', 'collateral.parse');

  // Facts verified before for these exact bytes under this root key. They are
  // used only when `at` lies inside every validity window they involve;
  // otherwise the full checks below run again (and report the exact failure).
  const rootId = cache === undefined ? 0 : cache.rootId(rootPublicKey);
  const chainEntry = cache === undefined ? undefined : pckChainEntryOf(quote, collateral, colEntry, cache);
  const factKey = colEntry !== undefined && chainEntry !== undefined ? `${colEntry.id}|${rootId}` : undefined;
  let pckFacts: PckFacts | undefined = factKey === undefined ? undefined : chainEntry!.facts.get(factKey);
  if (pckFacts !== undefined && !inWindow(pckFacts.window, at)) pckFacts = undefined;
  const collateralKnown = colEntry !== undefined && inWindow(colEntry.verified.get(rootId), at);

  // --- 2. PCK chain to the pinned root, with both CRLs (4.1.2.1, 4.1.2.5.5-8) ---
  const pckChain = chainEntry?.certs ?? pckChainOf(quote, collateral, certificates);
  const pckLeaf = pckChain[0]!;
  if (pckFacts === undefined) {
    await verifyChain(pckChain, {
      rootPublicKey,
      at,
      crypto,
      leafCrypto: rawCrypto,
      crls: [collateral.rootCaCrl, collateral.pckCrl],
      context: 'pck',
      failCode: 'PckChain',
    });
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
  }
  checks.push('pck.chain', 'pck.crl');
  if (!collateralKnown) {
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
  }
  checks.push('pckCrlChain');
  const ext = pckFacts?.ext ?? parseSgxExtension(pckLeaf);
  if (pckFacts === undefined && factKey !== undefined) {
    pckFacts = { window: pckWindow(pckChain, collateral), ext, qeBlocks: new BytesMap(64) };
    chainEntry!.facts.set(factKey, pckFacts);
  }

  // --- 3. Collateral authenticity (TCB Info, QE Identity) ------------------
  if (!collateralKnown) {
    await verifyCollateralDocuments({ at, crypto, rootPublicKey, rootCaCrl: collateral.rootCaCrl }, collateral);
    colEntry?.verified.set(rootId, collateralWindow(collateral));
  }
  checks.push('tcbInfo.signature', 'tcbInfo.validity', 'qeIdentity.signature', 'qeIdentity.validity');

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

  // --- 6-7. QE report signed by the PCK key, binding the attestation key ---
  // (4.1.2.5.13-14). Remembered per PCK key by the exact QE blob bytes.
  const qeKnown = pckFacts?.qeBlocks.get(sig.qeReportRaw, sig.qeReportSignature, sig.attestationKey, sig.qeAuthData) !== undefined;
  if (!qeKnown) {
    // Un-memoised: the outcome is remembered below, per PCK key, by the exact QE blob bytes.
    if (!(await rawCrypto.verifyP256(pckLeaf.publicKey, sig.qeReportRaw, sig.qeReportSignature))) {
      fail('QeReportSignature', 'QE report signature does not verify with the PCK key', 'qeReport.signature');
    }
    const binding = crypto.sha256(concatBytes(sig.attestationKey, sig.qeAuthData));
    // REPORTDATA read from the signed QE report bytes (offset 320 of the SGX
    // report body), the very bytes the remembered fact is keyed by.
    const reportData = sig.qeReportRaw.subarray(320, 384);
    if (reportData.length !== 64 || !bytesEqual(reportData.subarray(0, 32), binding) || !isAllZero(reportData.subarray(32))) {
      fail('QeReportBinding', 'QE report data is not SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes', 'qeReport.reportData', {
        field: 'reportData',
        expected: toHex(binding) + '00'.repeat(32),
        found: toHex(reportData),
      });
    }
    pckFacts?.qeBlocks.set([sig.qeReportRaw, sig.qeReportSignature, sig.attestationKey, sig.qeAuthData], true);
  }
  checks.push('qeReport.signature', 'qeReport.binding');

  // --- 8. QE identity (4.1.2.5.15-16) ----------------------------------------
  // Steps 8 and 10 are time-independent functions of the collateral and PCK
  // extension of these facts and of the exact bytes in the key below; their
  // successful outcomes are remembered with the facts.
  const tdBody = quote.teeType === 'TDX' ? (quote.body as TdReportBody) : undefined;
  const teeTcbSvn2 = tdBody !== undefined && tdBody.kind !== 'td10' ? tdBody.teeTcbSvn2 : undefined;
  const evalKey = [sig.qeReportRaw, tdBody?.teeTcbSvn ?? NO_BYTES, teeTcbSvn2 ?? NO_BYTES, Uint8Array.of(quote.version, quote.teeType === 'TDX' ? 1 : 0, teeTcbSvn2 === undefined ? 0 : 1)];
  // Only for a quote parsed here from its bytes: a caller-parsed Quote's
  // fields may disagree with the bytes the key is made of.
  const evalFacts = quoteInput instanceof Uint8Array ? pckFacts : undefined;
  const known = evalFacts?.evaluations?.get(...evalKey);
  const qe = known?.qe ?? checkQeIdentity(qeIdentity, quote.teeType, sig.qeReport);
  checks.push('qeIdentity.report');

  // --- 9. Quote signed by the attestation key (4.1.2.5.17) ------------------
  // Always checked afresh (never memoised): it is the per-quote work.
  const attestationKey = concatBytes(Uint8Array.of(0x04), sig.attestationKey);
  if (!(await rawCrypto.verifyP256(attestationKey, quote.signedData, sig.signature))) {
    fail('QuoteSignature', 'quote signature does not verify with the attestation key', 'quote.signature');
  }
  checks.push('quote.signature');

  // --- 10. TCB evaluation (4.1.2.5.18) --------------------------------------
  const evaluation =
    known?.evaluation ??
    evaluateTcb(tcbInfo, {
      teeType: quote.teeType,
      quoteVersion: quote.version,
      pckComponents: ext.tcbComponents,
      pckPcesvn: ext.pcesvn,
      ...(tdBody ? { teeTcbSvn: tdBody.teeTcbSvn } : {}),
      ...(teeTcbSvn2 !== undefined ? { teeTcbSvn2 } : {}),
      qe,
    });
  const tcbDateIso = known?.tcbDateIso ?? isoFromSeconds(evaluation.tcbDate);
  if (known === undefined && evalFacts !== undefined) {
    (evalFacts.evaluations ??= new BytesMap(64)).set(evalKey, { qe, evaluation, tcbDateIso });
  }
  checks.push('tcb.evaluate');

  // Time-independent for one chain under one collateral set: kept with the facts.
  let expiresAt = pckFacts?.expiresAt;
  if (expiresAt === undefined) {
    expiresAt = Math.min(
      tcbInfo.nextUpdate,
      qeIdentity.nextUpdate,
      collateral.rootCaCrl.nextUpdate ?? at,
      collateral.pckCrl.nextUpdate ?? at,
      ...pckChain.map((c) => c.notAfter),
      ...collateral.tcbInfo.chain.map((c) => c.notAfter),
      ...collateral.qeIdentity.chain.map((c) => c.notAfter),
    );
    if (pckFacts !== undefined && collateral.rootCaCrl.nextUpdate !== undefined && collateral.pckCrl.nextUpdate !== undefined) {
      pckFacts.expiresAt = expiresAt;
    }
  }

  // The report's fields are views of the signed bytes: one hex conversion for all of them.
  const bodyHex = hexWithin(quote.signedData);
  return {
    teeType: quote.teeType,
    quoteVersion: quote.version,
    status: evaluation.status,
    advisoryIds: [...evaluation.advisoryIds],
    tcbDate: tcbDateIso,
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
    report: quote.body.kind === 'sgx' ? sgxClaims(quote.body, bodyHex) : tdClaims(quote.body, bodyHex),
    collateralExpiresAt: expiresAt,
    verifiedAt: at,
    checks,
    quote,
  };
}
