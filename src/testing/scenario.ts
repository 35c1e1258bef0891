/**
 * One-call scenarios: a quote plus complete, consistent, signed collateral.
 * By default a TDX v4 quote that a correct verifier finds UpToDate with no
 * advisories at `at`. Every knob changes one thing; levels in the collateral
 * stay at their defaults while the platform values (PCK TCB, module / QE SVN)
 * move, so a scenario test states exactly what differs.
 */
import type { CollateralJson, PcsCollateral } from '../collateral/input.js';
import {
  DEFAULT_FMSPC,
  DEFAULT_PCESVN,
  DEFAULT_SGX_COMPONENTS,
  QE_DEFAULTS,
  buildCollateralJson,
  buildPcsCollateral,
  defaultModuleIdentities,
  defaultQeIdentity,
  defaultSgxTcbInfo,
  defaultTcbLevels,
  defaultTdxTcbInfo,
  signQeIdentity,
  signTcbInfo,
  type EnclaveIdentityJson,
  type IsvLevelSpec,
  type ModuleIdentitySpec,
  type QeIdentityOptions,
  type SignedJson,
  type TcbInfoJson,
  type TcbLevelSpec,
} from './collateral.js';
import { mintCrl, type CrlOptions, type MintedCrl } from './crl.js';
import { keyPairFromPrivate, privateKeyFromLabel } from '../encode/keys.js';
import { mintPckCert, type MintedPck, type PckCertOptions } from './pck.js';
import { DEFAULT_LABEL, createTestPki, pckCaOf, type CaRole, type TestPki, type TestPkiOptions } from './pki.js';
import { buildQuote, type BuildQuoteOptions } from './quote.js';

export const DAY = 86_400;
export const YEAR = 365 * DAY;
/** 2026-01-01T00:00:00Z */
export const DEFAULT_AT = 1_767_225_600;

/** Things with a validity window. */
export type WindowItem = CaRole | 'pck' | 'tcbInfo' | 'qeIdentity' | 'pckCrl' | 'rootCrl';

export interface ScenarioCorruptions {
  readonly tcbInfoSignature?: boolean;
  readonly qeIdentitySignature?: boolean;
  readonly pckCrlSignature?: boolean;
  readonly rootCrlSignature?: boolean;
  readonly pckCertSignature?: boolean;
  /** Corrupt a PKI certificate signature (root, PCK CAs, TCB signing). */
  readonly pkiCertSignature?: Partial<Record<CaRole, boolean>>;
  readonly quoteSignature?: boolean;
  readonly qeReportSignature?: boolean;
  /** QE report_data no longer equals SHA-256(attestation key ‖ QE auth data). */
  readonly qeBinding?: boolean;
}

export interface ScenarioOptions {
  /** Verification time (unix seconds). Default 1767225600 (2026-01-01T00:00:00Z). */
  readonly at?: number;
  /** Default 'TDX'. */
  readonly teeType?: 'TDX' | 'SGX';
  /** Default 4 (TDX) / 3 (SGX). */
  readonly quoteVersion?: 3 | 4 | 5;
  /** v5 body type. Default 2 (TDX) / 1 (SGX). */
  readonly bodyType?: 1 | 2 | 3 | 4;

  /** Reuse an existing PKI (its validity windows are then used as-is). */
  readonly pki?: TestPki;
  /** Label prefix for all keys. Default 'tee-attest test'. */
  readonly label?: string;
  /** Extra PKI options (merged over the at-relative windows). */
  readonly pkiOptions?: TestPkiOptions;
  /** Return the root key of an unrelated PKI as `rootPublicKey` ("wrong root"). */
  readonly wrongRoot?: boolean;

  /** Issuing CA of the PCK leaf. Default 'platform'. */
  readonly pckCa?: 'platform' | 'processor';
  /** Default '00906ED50000'. Used for both the PCK and the TCB Info. */
  readonly fmspc?: string;
  /** Default '0000'. Used for both the PCK and the TCB Info. */
  readonly pceId?: string;
  /** PCK SGX TCB components. Default DEFAULT_SGX_COMPONENTS. */
  readonly pckComponents?: readonly number[];
  /** PCK PCESVN. Default 11. */
  readonly pcesvn?: number;
  /** PCK CPUSVN (also the QE report / SGX body cpusvn). Default: components as bytes. */
  readonly cpusvn?: Uint8Array;
  /** Anything else for `mintPckCert`. */
  readonly pckOptions?: Partial<PckCertOptions>;
  /** TCB Info fmspc when it should differ from the PCK's. */
  readonly tcbInfoFmspc?: string;

  /** Platform TCB levels. Default `defaultTcbLevels(teeType)`. */
  readonly tcbLevels?: readonly TcbLevelSpec[];
  /** SGX only: 2 or 3. Default 3. */
  readonly tcbInfoVersion?: 2 | 3;
  readonly tcbEvaluationDataNumber?: number;
  /** TDX module identities. Default `defaultModuleIdentities()` (TDX_03, TDX_01). */
  readonly moduleIdentities?: readonly ModuleIdentitySpec[];
  /** tee_tcb_svn[1]. Default 1. */
  readonly moduleVersion?: number;
  /** tee_tcb_svn[0]. Default 4. */
  readonly moduleIsvsvn?: number;
  /** Full tee_tcb_svn override (16 bytes). Default [moduleIsvsvn, moduleVersion, 3, 0...]. */
  readonly teeTcbSvn?: readonly number[];

  /** QE report isvsvn. Default 4 (TD_QE) / 8 (QE). */
  readonly qeIsvsvn?: number;
  /** QE identity levels. Default `[{isvsvn: default, UpToDate}, {isvsvn: 2, OutOfDate}]`. */
  readonly qeLevels?: readonly IsvLevelSpec[];
  /** Other QE identity fields (collateral side only: the quote's QE report keeps its defaults). */
  readonly qeIdentity?: Partial<QeIdentityOptions>;

  /** Debug enclave / TD. */
  readonly debug?: boolean;

  /** List the PCK leaf in the PCK CRL. */
  readonly revokePck?: boolean;
  /** List the PCK CA in the Root CA CRL. */
  readonly revokePckCa?: boolean;
  /** List the TCB Signing certificate in the Root CA CRL. */
  readonly revokeTcbSigning?: boolean;
  /** Extra PCK CRL options. */
  readonly pckCrl?: Partial<CrlOptions>;
  /** Extra Root CA CRL options. */
  readonly rootCrl?: Partial<CrlOptions>;

  /** Items whose window ends before `at`. */
  readonly expired?: readonly WindowItem[];
  /** Items whose window starts after `at`. */
  readonly notYetValid?: readonly WindowItem[];

  readonly corrupt?: ScenarioCorruptions;

  /** Extra buildQuote options (applied last). */
  readonly quote?: Partial<BuildQuoteOptions>;
  /** Edit the TCB Info before signing; return a string to sign exact text. */
  readonly mutateTcbInfo?: (t: TcbInfoJson) => TcbInfoJson | string | void;
  /** Edit the QE identity before signing; return a string to sign exact text. */
  readonly mutateQeIdentity?: (q: EnclaveIdentityJson) => EnclaveIdentityJson | string | void;
}

export interface Scenario {
  readonly quote: Uint8Array;
  readonly collateral: CollateralJson;
  /** The same collateral as raw PCS responses. */
  readonly pcsCollateral: PcsCollateral;
  /** The root key a verifier should pin. */
  readonly rootPublicKey: Uint8Array;
  /** Unix seconds inside every validity window (unless made otherwise). */
  readonly at: number;
  readonly pki: TestPki;
  readonly pck: MintedPck;
  readonly tcbInfo: TcbInfoJson | string;
  readonly qeIdentity: EnclaveIdentityJson | string;
  readonly signedTcbInfo: SignedJson;
  readonly signedQeIdentity: SignedJson;
  readonly pckCrl: MintedCrl;
  readonly rootCrl: MintedCrl;
  /** The options buildQuote was called with (rebuild with tweaks). */
  readonly quoteOptions: BuildQuoteOptions;
  /** 65-byte attestation public key. */
  readonly attestationPublicKey: Uint8Array;
}

interface Window {
  readonly start: number;
  readonly end: number;
}

export function makeScenario(o: ScenarioOptions = {}): Scenario {
  const at = o.at ?? DEFAULT_AT;
  const tee = o.teeType ?? 'TDX';
  const label = o.label ?? o.pki?.label ?? DEFAULT_LABEL;
  const expired = new Set(o.expired ?? []);
  const notYet = new Set(o.notYetValid ?? []);

  const win = (item: WindowItem, before: number, after: number): Window => {
    if (expired.has(item)) return { start: at - before - 2 * YEAR, end: at - DAY };
    if (notYet.has(item)) return { start: at + DAY, end: at + DAY + after };
    return { start: at - before, end: at + after };
  };
  const certWin: Record<CaRole | 'pck', Window> = {
    root: win('root', 8 * YEAR, 20 * YEAR),
    platformCa: win('platformCa', 8 * YEAR, 7 * YEAR),
    processorCa: win('processorCa', 8 * YEAR, 7 * YEAR),
    tcbSigning: win('tcbSigning', YEAR, 6 * YEAR),
    pck: win('pck', YEAR, 6 * YEAR),
  };
  const colWin = (item: WindowItem): Window => {
    if (expired.has(item)) return { start: at - 60 * DAY, end: at - 30 * DAY };
    if (notYet.has(item)) return { start: at + DAY, end: at + 31 * DAY };
    return { start: at - DAY, end: at + 30 * DAY };
  };

  // --- PKI
  const pki =
    o.pki ??
    createTestPki({
      ...o.pkiOptions,
      label,
      validity: {
        root: { notBefore: certWin.root.start, notAfter: certWin.root.end },
        platformCa: { notBefore: certWin.platformCa.start, notAfter: certWin.platformCa.end },
        processorCa: { notBefore: certWin.processorCa.start, notAfter: certWin.processorCa.end },
        tcbSigning: { notBefore: certWin.tcbSigning.start, notAfter: certWin.tcbSigning.end },
        ...o.pkiOptions?.validity,
      },
      corruptSignature: { ...o.pkiOptions?.corruptSignature, ...o.corrupt?.pkiCertSignature },
    });

  // --- PCK leaf
  const pckCa = o.pckCa ?? 'platform';
  const fmspc = o.fmspc ?? DEFAULT_FMSPC;
  const pceId = o.pceId ?? '0000';
  const pck = mintPckCert(pki, {
    ca: pckCa,
    fmspc,
    pceId,
    tcbComponents: o.pckComponents ?? DEFAULT_SGX_COMPONENTS,
    pcesvn: o.pcesvn ?? DEFAULT_PCESVN,
    ...(o.cpusvn ? { cpusvn: o.cpusvn } : {}),
    notBefore: certWin.pck.start,
    notAfter: certWin.pck.end,
    label: `${label} pck leaf`,
    ...(o.corrupt?.pckCertSignature ? { corruptSignature: true } : {}),
    ...o.pckOptions,
  });

  // --- TCB Info
  const tcbW = colWin('tcbInfo');
  const common = {
    fmspc: o.tcbInfoFmspc ?? fmspc,
    pceId,
    issueDate: tcbW.start,
    nextUpdate: tcbW.end,
    tcbEvaluationDataNumber: o.tcbEvaluationDataNumber,
    levels: o.tcbLevels ?? defaultTcbLevels(tee),
  };
  let tcbInfo: TcbInfoJson | string =
    tee === 'TDX'
      ? defaultTdxTcbInfo({ ...common, moduleIdentities: o.moduleIdentities ?? defaultModuleIdentities() })
      : defaultSgxTcbInfo({ ...common, version: o.tcbInfoVersion ?? 3 });
  if (o.mutateTcbInfo) tcbInfo = o.mutateTcbInfo(tcbInfo) ?? tcbInfo;
  const signedTcbInfo = signTcbInfo(pki, tcbInfo, { corruptSignature: o.corrupt?.tcbInfoSignature ?? false });

  // --- QE identity
  const qeId = tee === 'TDX' ? 'TD_QE' : 'QE';
  const qeDefaults = QE_DEFAULTS[qeId];
  const qeW = colWin('qeIdentity');
  let qeIdentity: EnclaveIdentityJson | string = defaultQeIdentity({
    id: qeId,
    issueDate: qeW.start,
    nextUpdate: qeW.end,
    tcbEvaluationDataNumber: o.tcbEvaluationDataNumber,
    ...(o.qeLevels ? { levels: o.qeLevels } : {}),
    ...o.qeIdentity,
  });
  if (o.mutateQeIdentity) qeIdentity = o.mutateQeIdentity(qeIdentity) ?? qeIdentity;
  const signedQeIdentity = signQeIdentity(pki, qeIdentity, {
    corruptSignature: o.corrupt?.qeIdentitySignature ?? false,
  });

  // --- CRLs
  const pckCrlW = colWin('pckCrl');
  const pckCrl = mintCrl(pckCaOf(pki, pckCa), {
    thisUpdate: pckCrlW.start,
    nextUpdate: pckCrlW.end,
    ...o.pckCrl,
    revokedSerials: [...(o.revokePck ? [pck.serialHex] : []), ...(o.pckCrl?.revokedSerials ?? [])],
    reasonCode: o.pckCrl?.reasonCode ?? 1,
    corruptSignature: o.corrupt?.pckCrlSignature ?? o.pckCrl?.corruptSignature ?? false,
  });
  const rootCrlW = colWin('rootCrl');
  const rootCrl = mintCrl(pki.root, {
    thisUpdate: rootCrlW.start,
    nextUpdate: rootCrlW.end,
    ...o.rootCrl,
    revokedSerials: [
      ...(o.revokePckCa ? [pckCaOf(pki, pckCa).serialHex] : []),
      ...(o.revokeTcbSigning ? [pki.tcbSigning.serialHex] : []),
      ...(o.rootCrl?.revokedSerials ?? []),
    ],
    reasonCode: o.rootCrl?.reasonCode ?? 1,
    corruptSignature: o.corrupt?.rootCrlSignature ?? o.rootCrl?.corruptSignature ?? false,
  });

  // --- Quote
  const version = o.quoteVersion ?? (tee === 'SGX' ? 3 : 4);
  const moduleIsvsvn = o.moduleIsvsvn ?? 4;
  const moduleVersion = o.moduleVersion ?? 1;
  const teeTcbSvn = o.teeTcbSvn ?? [moduleIsvsvn, moduleVersion, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const qeIsvsvn = o.qeIsvsvn ?? qeDefaults.isvsvn;
  const attestationKey = privateKeyFromLabel(`${label} attestation key`);
  const q = o.quote ?? {};
  const quoteOptions: BuildQuoteOptions = {
    teeType: tee,
    version,
    bodyType: o.bodyType ?? (tee === 'SGX' ? 1 : 2),
    label,
    pceSvn: pck.pcesvn,
    qeSvn: qeIsvsvn,
    attestationKey,
    pck,
    debug: o.debug ?? false,
    breakQeBinding: o.corrupt?.qeBinding ?? false,
    corruptQuoteSignature: o.corrupt?.quoteSignature ?? false,
    corruptQeReportSignature: o.corrupt?.qeReportSignature ?? false,
    ...q,
    // Body / QE report fields merge field-by-field with `quote`.
    ...(tee === 'TDX'
      ? { tdBody: { teeTcbSvn, ...q.tdBody } }
      : { sgxBody: { cpusvn: pck.cpusvn, ...q.sgxBody } }),
    qeReport: {
      cpusvn: pck.cpusvn,
      isvsvn: qeIsvsvn,
      ...q.qeReport,
    },
  };
  const quote = buildQuote(quoteOptions);

  const parts = { tcbInfo: signedTcbInfo, qeIdentity: signedQeIdentity, rootCaCrl: rootCrl, pckCrl, pckCa };
  const rootPublicKey = o.wrongRoot ? createTestPki({ label: `${label} (wrong root)` }).rootPublicKey : pki.rootPublicKey;
  return {
    quote,
    collateral: buildCollateralJson(pki, parts),
    pcsCollateral: buildPcsCollateral(pki, parts),
    rootPublicKey,
    at,
    pki,
    pck,
    tcbInfo,
    qeIdentity,
    signedTcbInfo,
    signedQeIdentity,
    pckCrl,
    rootCrl,
    quoteOptions,
    attestationPublicKey: keyPairFromPrivate(quoteOptions.attestationKey ?? attestationKey).publicKey,
  };
}
