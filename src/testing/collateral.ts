/**
 * Signed collateral (TCB Info, QE Identity) exactly as Intel PCS serves it,
 * plus the CollateralJson / PcsCollateral bundles the verifier consumes.
 */
import { attestationError } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import type { CollateralJson, PcsCollateral } from '../collateral/input.js';
import { flipBit, signRaw, utf8 } from '../encode/keys.js';
import type { TcbStatus as IntelTcbStatus } from '../tcb/status.js';
import type { MintedCrl } from './crl.js';
import { pckCaChainPem, tcbSigningChainPem, type TestPki } from './pki.js';

/** Intel's statuses (tcb/status.ts), or any string to build malformed collateral. */
export type TcbStatus = IntelTcbStatus | (string & {});

/** Unix seconds, or an ISO string used verbatim. */
export type DateInput = number | string;

/** `YYYY-MM-DDTHH:MM:SSZ` (Intel's format: no milliseconds). */
export function isoDate(d: DateInput): string {
  if (typeof d === 'string') return d;
  return new Date(d * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TcbComponentJson {
  svn: number;
  category?: string;
  type?: string;
}

export interface TcbV3Json {
  sgxtcbcomponents: TcbComponentJson[];
  pcesvn: number;
  tdxtcbcomponents?: TcbComponentJson[];
}

/** TCB Info v2 flat form: sgxtcbcomp01svn .. sgxtcbcomp16svn, pcesvn. */
export type TcbV2Json = Record<string, number>;

export interface TcbLevelJson {
  tcb: TcbV3Json | TcbV2Json;
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIDs?: string[];
}

export interface TdxModuleJson {
  mrsigner: string;
  attributes: string;
  attributesMask: string;
}

export interface IsvTcbLevelJson {
  tcb: { isvsvn: number };
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIDs?: string[];
}

export interface TdxModuleIdentityJson extends TdxModuleJson {
  id: string;
  tcbLevels: IsvTcbLevelJson[];
}

export interface TcbInfoJson {
  /** 'SGX' | 'TDX'; absent in TCB Info v2. */
  id?: string;
  version: number;
  issueDate: string;
  nextUpdate: string;
  fmspc: string;
  pceId: string;
  tcbType: number;
  tcbEvaluationDataNumber: number;
  tdxModule?: TdxModuleJson;
  tdxModuleIdentities?: TdxModuleIdentityJson[];
  tcbLevels: TcbLevelJson[];
}

export interface EnclaveIdentityJson {
  id: string;
  version: number;
  issueDate: string;
  nextUpdate: string;
  tcbEvaluationDataNumber: number;
  miscselect: string;
  miscselectMask: string;
  attributes: string;
  attributesMask: string;
  mrsigner: string;
  isvprodid: number;
  tcbLevels: IsvTcbLevelJson[];
}

// ---------------------------------------------------------------------------
// Defaults

/** Default PCK SGX TCB components (as in a real TDX-capable platform). */
export const DEFAULT_SGX_COMPONENTS: readonly number[] = [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
export const DEFAULT_PCESVN = 11;
/** Default TCB level TDX components: [module isvsvn, 0, late microcode, 0...]. */
export const DEFAULT_TDX_COMPONENTS: readonly number[] = [4, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
export const DEFAULT_TCB_DATE = '2024-03-13T00:00:00Z';
export const DEFAULT_FMSPC = '00906ED50000';
export const ZERO_MRSIGNER_96 = '0'.repeat(96);

/** Intel's published QE / TD_QE signers and product IDs. */
export const QE_DEFAULTS = {
  QE: { mrsigner: '8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF', isvprodid: 1, isvsvn: 8 },
  TD_QE: { mrsigner: 'DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5', isvprodid: 2, isvsvn: 4 },
  QVE: { mrsigner: '8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF', isvprodid: 2, isvsvn: 8 },
} as const;

export const QE_ATTRIBUTES = '11000000000000000000000000000000';
export const QE_ATTRIBUTES_MASK = 'FBFFFFFFFFFFFFFF0000000000000000';

const SGX_ANNOTATIONS: ReadonlyArray<Omit<TcbComponentJson, 'svn'>> = [
  { category: 'BIOS', type: 'Early Microcode Update' },
  { category: 'OS/VMM', type: 'SGX Late Microcode Update' },
  { category: 'OS/VMM', type: 'TXT SINIT' },
  { category: 'BIOS' },
  { category: 'BIOS' },
  { category: 'BIOS' },
  {},
  { category: 'OS/VMM', type: 'SEAMLDR ACM' },
];
const TDX_ANNOTATIONS: ReadonlyArray<Omit<TcbComponentJson, 'svn'>> = [
  { category: 'OS/VMM', type: 'TDX Module' },
  { category: 'OS/VMM', type: 'TDX Module' },
  { category: 'OS/VMM', type: 'TDX Late Microcode Update' },
];

function components(svns: readonly number[], annotations?: ReadonlyArray<Omit<TcbComponentJson, 'svn'>>): TcbComponentJson[] {
  if (svns.length !== 16) throw attestationError('InvalidArgument', 'TCB component arrays must have 16 entries', { check: 'testing/collateral' });
  return svns.map((svn, i) => ({ svn, ...(annotations?.[i] ?? {}) }));
}

export interface TcbLevelSpec {
  /** 16 SGX component SVNs. */
  readonly sgx: readonly number[];
  readonly pcesvn: number;
  /** 16 TDX component SVNs (TDX TCB Info only). Default DEFAULT_TDX_COMPONENTS. */
  readonly tdx?: readonly number[];
  readonly status: TcbStatus;
  readonly tcbDate?: DateInput;
  readonly advisoryIDs?: readonly string[];
}

export interface IsvLevelSpec {
  readonly isvsvn: number;
  readonly status: TcbStatus;
  readonly tcbDate?: DateInput;
  readonly advisoryIDs?: readonly string[];
}

export interface ModuleIdentitySpec {
  /** Module major version: id becomes `TDX_%02X` (hex, as verifiers look it up: 16 → TDX_10). */
  readonly version: number;
  /** Explicit id (overrides `version`). */
  readonly id?: string;
  readonly mrsigner?: string;
  readonly attributes?: string;
  readonly attributesMask?: string;
  readonly levels: readonly IsvLevelSpec[];
}

function isvLevel(l: IsvLevelSpec): IsvTcbLevelJson {
  const out: IsvTcbLevelJson = {
    tcb: { isvsvn: l.isvsvn },
    tcbDate: isoDate(l.tcbDate ?? DEFAULT_TCB_DATE),
    tcbStatus: l.status,
  };
  if (l.advisoryIDs !== undefined) out.advisoryIDs = [...l.advisoryIDs];
  return out;
}

function levelJson(
  l: TcbLevelSpec,
  form: 'v2' | 'sgx' | 'tdx',
  annotate: boolean,
): TcbLevelJson {
  let tcb: TcbV3Json | TcbV2Json;
  if (form === 'v2') {
    const flat: TcbV2Json = {};
    if (l.sgx.length !== 16) throw attestationError('InvalidArgument', 'TCB component arrays must have 16 entries', { check: 'testing/collateral' });
    l.sgx.forEach((svn, i) => {
      flat[`sgxtcbcomp${String(i + 1).padStart(2, '0')}svn`] = svn;
    });
    flat['pcesvn'] = l.pcesvn;
    tcb = flat;
  } else if (form === 'sgx') {
    tcb = { sgxtcbcomponents: components(l.sgx, annotate ? SGX_ANNOTATIONS : undefined), pcesvn: l.pcesvn };
  } else {
    tcb = {
      sgxtcbcomponents: components(l.sgx, annotate ? SGX_ANNOTATIONS : undefined),
      pcesvn: l.pcesvn,
      tdxtcbcomponents: components(l.tdx ?? DEFAULT_TDX_COMPONENTS, annotate ? TDX_ANNOTATIONS : undefined),
    };
  }
  const out: TcbLevelJson = { tcb, tcbDate: isoDate(l.tcbDate ?? DEFAULT_TCB_DATE), tcbStatus: l.status };
  if (l.advisoryIDs !== undefined) out.advisoryIDs = [...l.advisoryIDs];
  return out;
}

/** Default platform levels: UpToDate at the default PCK TCB, then an OutOfDate level with an advisory. */
export function defaultTcbLevels(tee: 'SGX' | 'TDX'): TcbLevelSpec[] {
  const up: TcbLevelSpec = { sgx: DEFAULT_SGX_COMPONENTS, pcesvn: DEFAULT_PCESVN, status: 'UpToDate' };
  const old: TcbLevelSpec = {
    sgx: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
    pcesvn: 5,
    status: 'OutOfDate',
    tcbDate: '2018-01-04T00:00:00Z',
    advisoryIDs: ['INTEL-SA-00106', 'INTEL-SA-00115'],
  };
  if (tee === 'SGX') return [up, old];
  return [
    { ...up, tdx: DEFAULT_TDX_COMPONENTS },
    { ...old, tdx: [2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
  ];
}

/** Default TDX module identities: TDX_01 (isvsvn 4 UpToDate, 2 OutOfDate) and TDX_03 (isvsvn 3 UpToDate). */
export function defaultModuleIdentities(): ModuleIdentitySpec[] {
  return [
    { version: 3, levels: [{ isvsvn: 3, status: 'UpToDate' }] },
    {
      version: 1,
      levels: [
        { isvsvn: 4, status: 'UpToDate' },
        { isvsvn: 2, status: 'OutOfDate', tcbDate: '2023-08-09T00:00:00Z', advisoryIDs: ['INTEL-SA-00960'] },
      ],
    },
  ];
}

interface CommonTcbInfoOptions {
  /** 12 hex chars. Default '00906ED50000'. */
  readonly fmspc?: string;
  /** Default '0000'. */
  readonly pceId?: string;
  readonly issueDate: DateInput;
  readonly nextUpdate: DateInput;
  /** Default 17. */
  readonly tcbEvaluationDataNumber?: number;
  /** Default 0. */
  readonly tcbType?: number;
  /** Platform TCB levels, most recent first. Default `defaultTcbLevels(tee)`. */
  readonly levels?: readonly TcbLevelSpec[];
  /** Add Intel's category/type annotations to components. Default: true for TDX, false for SGX. */
  readonly annotate?: boolean;
}

export interface TdxTcbInfoOptions extends CommonTcbInfoOptions {
  /** Default `{ mrsigner: 96 zero hex, attributes: 0000000000000000, attributesMask: FFFFFFFFFFFFFFFF }`. */
  readonly tdxModule?: Partial<TdxModuleJson>;
  /** Default `defaultModuleIdentities()`. Pass [] to omit the member. */
  readonly moduleIdentities?: readonly ModuleIdentitySpec[];
}

export interface SgxTcbInfoOptions extends CommonTcbInfoOptions {
  /** 2 (flat tcb, no id) or 3. Default 3. */
  readonly version?: 2 | 3;
}

function moduleJson(m?: Partial<TdxModuleJson>): TdxModuleJson {
  return {
    mrsigner: m?.mrsigner ?? ZERO_MRSIGNER_96,
    attributes: m?.attributes ?? '0000000000000000',
    attributesMask: m?.attributesMask ?? 'FFFFFFFFFFFFFFFF',
  };
}

/** TDX TCB Info v3 object, members in Intel's order. */
export function defaultTdxTcbInfo(opts: TdxTcbInfoOptions): TcbInfoJson {
  const annotate = opts.annotate ?? true;
  const identities = opts.moduleIdentities ?? defaultModuleIdentities();
  return {
    id: 'TDX',
    version: 3,
    issueDate: isoDate(opts.issueDate),
    nextUpdate: isoDate(opts.nextUpdate),
    fmspc: opts.fmspc ?? DEFAULT_FMSPC,
    pceId: opts.pceId ?? '0000',
    tcbType: opts.tcbType ?? 0,
    tcbEvaluationDataNumber: opts.tcbEvaluationDataNumber ?? 17,
    tdxModule: moduleJson(opts.tdxModule),
    ...(identities.length > 0
      ? {
          tdxModuleIdentities: identities.map((m) => ({
            id: m.id ?? `TDX_${m.version.toString(16).toUpperCase().padStart(2, '0')}`,
            ...moduleJson(m),
            tcbLevels: m.levels.map(isvLevel),
          })),
        }
      : {}),
    tcbLevels: (opts.levels ?? defaultTcbLevels('TDX')).map((l) => levelJson(l, 'tdx', annotate)),
  };
}

/** SGX TCB Info v3 (or v2 with the flat tcb form), members in Intel's order. */
export function defaultSgxTcbInfo(opts: SgxTcbInfoOptions): TcbInfoJson {
  const version = opts.version ?? 3;
  const annotate = opts.annotate ?? false;
  const levels = (opts.levels ?? defaultTcbLevels('SGX')).map((l) =>
    levelJson(l, version === 2 ? 'v2' : 'sgx', annotate),
  );
  const common = {
    version,
    issueDate: isoDate(opts.issueDate),
    nextUpdate: isoDate(opts.nextUpdate),
    fmspc: opts.fmspc ?? DEFAULT_FMSPC,
    pceId: opts.pceId ?? '0000',
    tcbType: opts.tcbType ?? 0,
    tcbEvaluationDataNumber: opts.tcbEvaluationDataNumber ?? 17,
    tcbLevels: levels,
  };
  return version === 2 ? common : { id: 'SGX', ...common };
}

export interface QeIdentityOptions {
  readonly id: 'QE' | 'TD_QE' | 'QVE';
  readonly issueDate: DateInput;
  readonly nextUpdate: DateInput;
  /** Default 2. */
  readonly version?: number;
  /** Default 17. */
  readonly tcbEvaluationDataNumber?: number;
  /** Default '00000000'. */
  readonly miscselect?: string;
  /** Default 'FFFFFFFF'. */
  readonly miscselectMask?: string;
  /** Default '11000000000000000000000000000000'. */
  readonly attributes?: string;
  /** Default 'FBFFFFFFFFFFFFFF0000000000000000'. */
  readonly attributesMask?: string;
  /** Default Intel's signer for the id (QE_DEFAULTS). */
  readonly mrsigner?: string;
  /** Default QE_DEFAULTS[id].isvprodid (QE 1, TD_QE 2). */
  readonly isvprodid?: number;
  /** Default: `[{ isvsvn: QE_DEFAULTS[id].isvsvn, status: 'UpToDate' }, { isvsvn: 2, OutOfDate, advisory }]`. */
  readonly levels?: readonly IsvLevelSpec[];
}

/** QE / TD_QE / QVE identity object, members in Intel's order. */
export function defaultQeIdentity(opts: QeIdentityOptions): EnclaveIdentityJson {
  const d = QE_DEFAULTS[opts.id];
  const levels: readonly IsvLevelSpec[] = opts.levels ?? [
    { isvsvn: d.isvsvn, status: 'UpToDate' },
    { isvsvn: 2, status: 'OutOfDate', tcbDate: '2019-05-15T00:00:00Z', advisoryIDs: ['INTEL-SA-00219', 'INTEL-SA-00293'] },
  ];
  return {
    id: opts.id,
    version: opts.version ?? 2,
    issueDate: isoDate(opts.issueDate),
    nextUpdate: isoDate(opts.nextUpdate),
    tcbEvaluationDataNumber: opts.tcbEvaluationDataNumber ?? 17,
    miscselect: opts.miscselect ?? '00000000',
    miscselectMask: opts.miscselectMask ?? 'FFFFFFFF',
    attributes: opts.attributes ?? QE_ATTRIBUTES,
    attributesMask: opts.attributesMask ?? QE_ATTRIBUTES_MASK,
    mrsigner: opts.mrsigner ?? d.mrsigner,
    isvprodid: opts.isvprodid ?? d.isvprodid,
    tcbLevels: levels.map(isvLevel),
  };
}

// ---------------------------------------------------------------------------
// Signing

export interface SignedJson {
  /** The exact signed text (JSON.stringify of the inner object, or the string given). */
  readonly text: string;
  /** Raw r ‖ s hex (lowercase) over the UTF-8 bytes of `text`. */
  readonly signatureHex: string;
  /** The full PCS response body: `{"tcbInfo":<text>,"signature":"<hex>"}` (or `enclaveIdentity`). */
  readonly response: string;
}

export interface SignJsonOptions {
  /** Flip a bit of the signature. */
  readonly corruptSignature?: boolean;
  /** Sign with this key instead of the PKI's TCB Signing key. */
  readonly signingKey?: Uint8Array;
}

function signJson(pki: TestPki, member: string, body: object | string, opts: SignJsonOptions): SignedJson {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let sig = signRaw(utf8(text), opts.signingKey ?? pki.tcbSigning.privateKey);
  if (opts.corruptSignature) sig = flipBit(sig, 31);
  const signatureHex = toHex(sig);
  return { text, signatureHex, response: `{"${member}":${text},"signature":"${signatureHex}"}` };
}

/** Sign a TCB Info object (or exact text) with the TCB Signing key. */
export function signTcbInfo(pki: TestPki, tcbInfo: TcbInfoJson | string, opts: SignJsonOptions = {}): SignedJson {
  return signJson(pki, 'tcbInfo', tcbInfo, opts);
}

/** Sign an enclave identity object (or exact text) with the TCB Signing key. */
export function signQeIdentity(
  pki: TestPki,
  identity: EnclaveIdentityJson | string,
  opts: SignJsonOptions = {},
): SignedJson {
  return signJson(pki, 'enclaveIdentity', identity, opts);
}

// ---------------------------------------------------------------------------
// Bundles

export interface CollateralParts {
  readonly tcbInfo: SignedJson;
  readonly qeIdentity: SignedJson;
  readonly rootCaCrl: MintedCrl;
  readonly pckCrl: MintedCrl;
  /** Which PCK CA issued the PCK CRL. Default 'platform'. */
  readonly pckCa?: 'platform' | 'processor';
  /** Include `pck_certificate_chain` (for quotes without type-5 certification data). */
  readonly pckCertificateChain?: string;
  /** Override issuer chains (PEM). */
  readonly tcbInfoIssuerChain?: string;
  readonly qeIdentityIssuerChain?: string;
  readonly pckCrlIssuerChain?: string;
}

/** The dcap-qvl-style CollateralJson bundle. */
export function buildCollateralJson(pki: TestPki, parts: CollateralParts): CollateralJson {
  const tcbChain = tcbSigningChainPem(pki);
  return {
    tcb_info_issuer_chain: parts.tcbInfoIssuerChain ?? tcbChain,
    tcb_info: parts.tcbInfo.text,
    tcb_info_signature: parts.tcbInfo.signatureHex,
    qe_identity_issuer_chain: parts.qeIdentityIssuerChain ?? tcbChain,
    qe_identity: parts.qeIdentity.text,
    qe_identity_signature: parts.qeIdentity.signatureHex,
    root_ca_crl: parts.rootCaCrl.hex,
    pck_crl: parts.pckCrl.hex,
    pck_crl_issuer_chain: parts.pckCrlIssuerChain ?? pckCaChainPem(pki, parts.pckCa ?? 'platform'),
    pck_certificate_chain: parts.pckCertificateChain,
  };
}

/** The raw-PCS-response bundle (response bodies as served, CRLs as DER). */
export function buildPcsCollateral(pki: TestPki, parts: CollateralParts): PcsCollateral {
  const tcbChain = tcbSigningChainPem(pki);
  return {
    tcbInfo: parts.tcbInfo.response,
    tcbInfoIssuerChain: parts.tcbInfoIssuerChain ?? tcbChain,
    qeIdentity: parts.qeIdentity.response,
    qeIdentityIssuerChain: parts.qeIdentityIssuerChain ?? tcbChain,
    pckCrl: parts.pckCrl.der,
    pckCrlIssuerChain: parts.pckCrlIssuerChain ?? pckCaChainPem(pki, parts.pckCa ?? 'platform'),
    rootCaCrl: parts.rootCaCrl.der,
    pckCertificateChain: parts.pckCertificateChain,
  };
}
