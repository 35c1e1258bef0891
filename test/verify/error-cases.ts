/**
 * The scenario → error code table. Every entry is a realistic input (a quote
 * and signed collateral from the fake-Intel factory with one thing wrong) and
 * the code Intel's rules (docs/dcap.md) give for it. `errors.test.ts` runs the
 * table and checks that together the entries produce every code of
 * src/errors.ts that the DCAP pipeline (verifyQuote + checkPolicy) owns.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { ErrorCode } from '../../src/errors.js';
import { readDer } from '../../src/der/reader.js';
import { concatBytes, toHex } from '../../src/lib/bytes.js';
import {
  buildQuote,
  createTestPki,
  defaultQeAuthData,
  encodeSgxExtension,
  labelBytes,
  mintPckCert,
  pckCaChainPem,
  privateKeyFromLabel,
  publicKeyOf,
  signQeIdentity,
  signTcbInfo,
  tcbSigningChainPem,
  toPem,
  type BuildQuoteOptions,
  type Scenario,
  type ScenarioOptions,
  type SignedJson,
} from '../../src/testing/index.js';
import { caseOf, defaultPki, scenario, svn16, withParts, type Case } from './helpers.js';

export interface ErrorCase {
  readonly name: string;
  readonly code: ErrorCode;
  /** evidence.check, when the case pins the failing check down. */
  readonly check?: string;
  /** evidence.field, when it matters (e.g. which QE identity field). */
  readonly field?: string;
  /** A verifyQuote (+ policy) case, run in every shape × backend variant. */
  readonly build?: () => Case;
  /** A direct library call, for codes the verifyQuote pipeline cannot produce. */
  readonly direct?: () => unknown;
}

// ---------------------------------------------------------------------------
// Small builders

const s0 = (o: ScenarioOptions = {}): Scenario => scenario(o);
const make = (o: ScenarioOptions = {}): Case => caseOf(scenario(o));

/** The scenario with its quote rebuilt from the same options plus `tweaks`. */
function requote(s: Scenario, tweaks: Partial<BuildQuoteOptions>): Case {
  return { ...caseOf(s), quote: buildQuote({ ...s.quoteOptions, ...tweaks }) };
}

/** Signed JSON whose text was changed after signing (the signature is the original's). */
function tampered(signed: SignedJson, member: 'tcbInfo' | 'enclaveIdentity', edit: (t: string) => string): SignedJson {
  const text = edit(signed.text);
  if (text === signed.text) throw new Error('edit did not change the signed text');
  return { text, signatureHex: signed.signatureHex, response: `{"${member}":${text},"signature":"${signed.signatureHex}"}` };
}

/** A case whose JSON and PCS collateral fields are replaced by hand. */
function patched(s: Scenario, json: Record<string, unknown>, pcs: Record<string, unknown> | undefined): Case {
  const c = caseOf(s);
  return {
    ...c,
    collateral: { ...s.collateral, ...json } as Case['collateral'],
    ...(pcs ? { pcs: { ...s.pcsCollateral, ...pcs } as Case['pcs'] } : { pcs: undefined }),
  } as Case;
}

const OTHER_KEY = publicKeyOf(privateKeyFromLabel('tee-attest test: some other key'));

/** Offset of MRTD in a v4 quote: header 48 + TEE_TCB_SVN 16 + MRSEAM 48 + MRSIGNERSEAM 48 + 3 × 8. */
const MRTD_OFFSET = 48 + 16 + 48 + 48 + 24;

// ---------------------------------------------------------------------------

export const ERROR_CASES: ErrorCase[] = [
  // --- QuoteParse -------------------------------------------------------------
  {
    name: 'quote truncated by 100 bytes',
    code: 'QuoteParse',
    build: () => {
      const c = make();
      return { ...c, quote: c.quote.subarray(0, c.quote.length - 100) };
    },
  },
  { name: 'a non-zero byte after the quote', code: 'QuoteParse', check: 'quote.trailing', build: () => make({ quote: { trailing: Uint8Array.of(0, 0, 7) } }) },
  {
    name: 'v5 body size field does not match the body type',
    code: 'QuoteParse',
    check: 'quote.body.size',
    build: () => make({ quoteVersion: 5, bodyType: 2, quote: { bodySize: 648 } }),
  },
  { name: 'unknown certification data type 9', code: 'QuoteParse', check: 'quote.certificationData.type', build: () => make({ quote: { certDataType: 9 } }) },
  {
    name: 'v4 signature data whose outer certification data is type 5 instead of 6',
    code: 'QuoteParse',
    check: 'quote.certificationData.outerType',
    build: () => make({ quote: { outerCertDataType: 5 } }),
  },

  // --- QuoteUnsupported ---------------------------------------------------------
  { name: 'quote version 2', code: 'QuoteUnsupported', check: 'quote.header.version', build: () => make({ quote: { version: 2 } }) },
  {
    name: 'attestation key type 3 (ECDSA-384)',
    code: 'QuoteUnsupported',
    check: 'quote.header.attestationKeyType',
    build: () => make({ quote: { attestationKeyType: 3 } }),
  },
  {
    name: 'QE vendor id that is not Intel\'s',
    code: 'QuoteUnsupported',
    check: 'quote.header.qeVendorId',
    build: () => make({ quote: { qeVendorId: '00'.repeat(16) } }),
  },
  { name: 'TEE type 0x80 (neither SGX nor TDX)', code: 'QuoteUnsupported', check: 'quote.header.teeType', build: () => make({ quote: { teeTypeValue: 0x80 } }) },
  { name: 'v5 body type 5', code: 'QuoteUnsupported', check: 'quote.body.type', build: () => make({ quoteVersion: 5, quote: { bodyType: 5 } }) },


  // --- PemParse -------------------------------------------------------------------
  {
    name: 'quote certification data: END label does not match BEGIN',
    code: 'PemParse',
    build: () => {
      const s = s0();
      return requote(s, { chainPem: s.pck.chainPem.replace('-----END CERTIFICATE-----', '-----END CERTIFICATS-----') });
    },
  },
  {
    name: 'TCB Info issuer chain cut off in the middle of a certificate',
    code: 'PemParse',
    build: () => {
      const s = s0();
      return withParts(s, { tcbInfoIssuerChain: tcbSigningChainPem(s.pki).slice(0, 500) });
    },
  },
  {
    name: 'PCK CRL issuer chain with text before the first PEM block',
    code: 'PemParse',
    build: () => {
      const s = s0();
      return withParts(s, { pckCrlIssuerChain: 'SGX-PCK-CRL-Issuer-Chain: ' + pckCaChainPem(s.pki, 'platform') });
    },
  },

  // --- CertificateParse -----------------------------------------------------------
  {
    name: 'TCB Info issuer chain whose first block is the Root CA CRL armoured as CERTIFICATE (wrong file)',
    code: 'CertificateParse',
    build: () => {
      const s = s0();
      return withParts(s, { tcbInfoIssuerChain: toPem(s.rootCrl.der) + s.pki.root.pem });
    },
  },
  {
    name: 'PCK certificate signed with ecdsa-with-SHA384 (only ecdsa-with-SHA256 is accepted)',
    code: 'CertificateParse',
    build: () => {
      const s = s0();
      const sha256Oid = '06082a8648ce3d040302';
      const leafHex = toHex(s.pck.cert);
      if (!leafHex.includes(sha256Oid)) throw new Error('no ecdsa-with-SHA256 OID in the leaf');
      const leaf = Uint8Array.from(Buffer.from(leafHex.split(sha256Oid).join('06082a8648ce3d040303'), 'hex'));
      return requote(s, { chainPem: toPem(leaf) + s.pck.issuerChainPem });
    },
  },

  // --- SgxExtensionParse ------------------------------------------------------------
  { name: 'PCK certificate without the SGX extension', code: 'SgxExtensionParse', build: () => make({ pckOptions: { sgxExtension: null } }) },
  {
    name: 'PCK certificate whose SGX extension carries a 5-byte FMSPC',
    code: 'SgxExtensionParse',
    build: () =>
      make({
        pckOptions: {
          sgxExtension: encodeSgxExtension({
            ppid: labelBytes('ppid', 16),
            tcbComponents: svn16(3, 3, 2, 2, 4, 1, 0, 5),
            pcesvn: 11,
            cpusvn: Uint8Array.from(svn16(3, 3, 2, 2, 4, 1, 0, 5)),
            pceId: Uint8Array.of(0, 0),
            fmspc: Uint8Array.of(0x00, 0x90, 0x6e, 0xd5, 0x00),
            sgxType: 1,
          }),
        },
      }),
  },

  // --- CrlParse ------------------------------------------------------------------------
  {
    name: 'PCK CRL that is neither hex nor PEM',
    code: 'CrlParse',
    build: () => patched(s0(), { pck_crl: 'see https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl' }, { pckCrl: 'not a CRL' }),
  },
  {
    name: 'Root CA CRL truncated by 10 bytes',
    code: 'CrlParse',
    build: () => {
      const s = s0();
      return patched(s, { root_ca_crl: s.rootCrl.hex.slice(0, -20) }, { rootCaCrl: s.rootCrl.der.subarray(0, -10) });
    },
  },

  // --- CollateralParse ------------------------------------------------------------------
  {
    name: 'signed TCB Info with a duplicate key (signature valid; strict JSON rejects it)',
    code: 'CollateralParse',
    check: 'json',
    build: () => make({ mutateTcbInfo: (t) => JSON.stringify(t).replace('"tcbType":0', '"tcbType":0,"tcbType":0') }),
  },
  {
    name: 'signed TCB Info version 4',
    code: 'CollateralParse',
    check: 'tcbInfo.version',
    build: () =>
      make({
        mutateTcbInfo: (t) => {
          t.version = 4;
        },
      }),
  },
  {
    name: 'signed QE Identity with an unknown tcbStatus',
    code: 'CollateralParse',
    build: () =>
      make({
        mutateQeIdentity: (q) => {
          q.tcbLevels[0]!.tcbStatus = 'UpToDateish';
        },
      }),
  },
  {
    name: 'TCB Info signature of 63 bytes',
    code: 'CollateralParse',
    build: () => {
      const s = s0();
      const sig = s.signedTcbInfo.signatureHex.slice(0, -2);
      return patched(s, { tcb_info_signature: sig }, { tcbInfo: `{"tcbInfo":${s.signedTcbInfo.text},"signature":"${sig}"}` });
    },
  },
  {
    name: 'PCS TCB Info response with a member besides tcbInfo and signature',
    code: 'CollateralParse',
    build: () => {
      const s = s0();
      const c = caseOf(s);
      return { ...c, collateral: { ...s.pcsCollateral, tcbInfo: (s.pcsCollateral.tcbInfo as string).replace(/}$/, ',"tcbInfoV2":null}') }, pcs: undefined } as Case;
    },
  },
  {
    name: 'collateral is null',
    code: 'CollateralParse',
    build: () => ({ ...caseOf(s0()), collateral: null as unknown as Case['collateral'], pcs: undefined }) as Case,
  },

  // --- CollateralMissing ----------------------------------------------------------------
  {
    name: 'certification data type 3 (encrypted PPID) and no pck_certificate_chain in the collateral',
    code: 'CollateralMissing',
    check: 'pck.chain.source',
    build: () => make({ quote: { certDataType: 3, certData: labelBytes('encrypted ppid', 384 + 16 + 2 + 2) } }),
  },
  {
    name: 'type-5 certification data holding DER instead of PEM and no chain in the collateral',
    code: 'CollateralMissing',
    check: 'pck.chain.source',
    build: () => {
      const s = s0();
      return requote(s, { certData: s.pck.cert });
    },
  },

  // --- PckChain -------------------------------------------------------------------------
  { name: 'PCK certificate signature does not verify', code: 'PckChain', check: 'pck.chain.signature', build: () => make({ corrupt: { pckCertSignature: true } }) },
  {
    name: 'PCK Platform CA certificate signature does not verify',
    code: 'PckChain',
    check: 'pck.chain.signature',
    build: () => make({ corrupt: { pkiCertSignature: { platformCa: true } } }),
  },
  {
    name: 'quote chain without the PCK CA (leaf, root)',
    code: 'PckChain',
    check: 'pck.chain.issuer',
    build: () => {
      const s = s0();
      return requote(s, { chainPem: s.pck.pem + s.pki.root.pem });
    },
  },
  {
    name: 'quote chain in reverse order (root first)',
    code: 'PckChain',
    check: 'pck.chain.selfIssued',
    build: () => {
      const s = s0();
      return requote(s, { chainPem: s.pki.root.pem + s.pki.platformCa.pem + s.pck.pem });
    },
  },
  {
    name: 'PCK CRL of the Processor CA for a Platform-CA leaf',
    code: 'PckChain',
    check: 'pck.crl.coverage',
    build: () => {
      const processor = s0({ pckCa: 'processor' });
      return withParts(s0(), { pckCrl: processor.pckCrl, pckCa: 'processor' });
    },
  },

  // --- UntrustedRoot ----------------------------------------------------------------------
  { name: 'chain to a root other than the pinned one', code: 'UntrustedRoot', check: 'pck.chain.root', build: () => make({ wrongRoot: true }) },
  {
    name: 'TCB Info signed under another PKI (its own TCB Signing cert and root)',
    code: 'UntrustedRoot',
    check: 'tcbInfo.chain.root',
    build: () => {
      const s = s0();
      const other = createTestPki({ label: 'impostor' });
      return withParts(s, { tcbInfo: signTcbInfo(other, s.tcbInfo), tcbInfoIssuerChain: tcbSigningChainPem(other) });
    },
  },
  {
    name: 'QE Identity signed under another PKI',
    code: 'UntrustedRoot',
    check: 'qeIdentity.chain.root',
    build: () => {
      const s = s0();
      const other = createTestPki({ label: 'impostor' });
      return withParts(s, { qeIdentity: signQeIdentity(other, s.qeIdentity), qeIdentityIssuerChain: tcbSigningChainPem(other) });
    },
  },

  // --- CertificateExpired ---------------------------------------------------------------
  { name: 'PCK certificate expired', code: 'CertificateExpired', check: 'pck.chain.validity', build: () => make({ expired: ['pck'] }) },
  { name: 'PCK certificate not yet valid', code: 'CertificateExpired', check: 'pck.chain.validity', build: () => make({ notYetValid: ['pck'] }) },
  { name: 'PCK Platform CA expired', code: 'CertificateExpired', check: 'pck.chain.validity', build: () => make({ expired: ['platformCa'] }) },
  { name: 'Root CA expired', code: 'CertificateExpired', check: 'pck.chain.validity', build: () => make({ expired: ['root'] }) },
  { name: 'TCB Signing certificate expired', code: 'CertificateExpired', check: 'tcbInfo.chain.validity', build: () => make({ expired: ['tcbSigning'] }) },

  // --- CertificateInvalid ---------------------------------------------------------------
  {
    name: 'PCK leaf CN is not "SGX PCK Certificate"',
    code: 'CertificateInvalid',
    check: 'pck.leaf.subject',
    build: () => make({ pckOptions: { commonName: 'Intel SGX Attestation Key' } }),
  },
  {
    name: 'PCK leaf issued by the TCB Signing certificate (not a CA)',
    code: 'CertificateInvalid',
    check: 'pck.chain.basicConstraints',
    build: () => {
      const pki = defaultPki();
      return make({ pki: { ...pki, platformCa: pki.tcbSigning } });
    },
  },

  // --- CrlSignature ------------------------------------------------------------------------
  { name: 'PCK CRL signature does not verify', code: 'CrlSignature', check: 'pck.crl.signature', build: () => make({ corrupt: { pckCrlSignature: true } }) },
  { name: 'Root CA CRL signature does not verify', code: 'CrlSignature', check: 'pck.crl.signature', build: () => make({ corrupt: { rootCrlSignature: true } }) },
  {
    name: 'PCK CRL in the Platform CA\'s name signed by the Processor CA key',
    code: 'CrlSignature',
    check: 'pck.crl.signature',
    build: () => make({ pckCrl: { signingKey: defaultPki().processorCa.privateKey } }),
  },

  // --- CrlExpired ------------------------------------------------------------------------------
  { name: 'PCK CRL past its nextUpdate', code: 'CrlExpired', check: 'pck.crl.validity', build: () => make({ expired: ['pckCrl'] }) },
  { name: 'Root CA CRL before its thisUpdate', code: 'CrlExpired', check: 'pck.crl.validity', build: () => make({ notYetValid: ['rootCrl'] }) },

  // --- CrlRevoked ------------------------------------------------------------------------------
  { name: 'PCK certificate listed in the PCK CRL', code: 'CrlRevoked', check: 'pck.crl.revoked', build: () => make({ revokePck: true }) },
  { name: 'PCK Platform CA listed in the Root CA CRL (revoked intermediate)', code: 'CrlRevoked', check: 'pck.crl.revoked', build: () => make({ revokePckCa: true }) },
  { name: 'TCB Signing certificate listed in the Root CA CRL', code: 'CrlRevoked', check: 'tcbInfo.crl.revoked', build: () => make({ revokeTcbSigning: true }) },

  // --- TcbInfoSignature ------------------------------------------------------------------------
  { name: 'TCB Info signature does not verify', code: 'TcbInfoSignature', check: 'tcbInfo.signature', build: () => make({ corrupt: { tcbInfoSignature: true } }) },
  {
    name: 'TCB Info edited after signing (OutOfDate level relabelled UpToDate)',
    code: 'TcbInfoSignature',
    check: 'tcbInfo.signature',
    build: () => {
      const s = s0();
      return withParts(s, { tcbInfo: tampered(s.signedTcbInfo, 'tcbInfo', (t) => t.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"')) });
    },
  },
  {
    name: 'TCB Info signed by the PCK Platform CA (chain valid, signer not a TCB Signing certificate)',
    code: 'TcbInfoSignature',
    check: 'tcbInfo.signer',
    build: () => {
      const s = s0();
      return withParts(s, {
        tcbInfo: signTcbInfo(s.pki, s.tcbInfo, { signingKey: s.pki.platformCa.privateKey }),
        tcbInfoIssuerChain: pckCaChainPem(s.pki, 'platform'),
      });
    },
  },
  {
    name: 'TCB Info issuer chain holding only the root',
    code: 'TcbInfoSignature',
    check: 'tcbInfo.signer',
    build: () => {
      const s = s0();
      return withParts(s, { tcbInfoIssuerChain: s.pki.root.pem });
    },
  },
  {
    name: 'TCB Signing certificate signature does not verify',
    code: 'TcbInfoSignature',
    check: 'tcbInfo.chain.signature',
    build: () => make({ corrupt: { pkiCertSignature: { tcbSigning: true } } }),
  },

  // --- QeIdentitySignature -----------------------------------------------------------------------
  { name: 'QE Identity signature does not verify', code: 'QeIdentitySignature', check: 'qeIdentity.signature', build: () => make({ corrupt: { qeIdentitySignature: true } }) },
  {
    name: 'QE Identity edited after signing (ISVPRODID)',
    code: 'QeIdentitySignature',
    check: 'qeIdentity.signature',
    build: () => {
      const s = s0();
      return withParts(s, { qeIdentity: tampered(s.signedQeIdentity, 'enclaveIdentity', (t) => t.replace('"isvprodid":2', '"isvprodid":3')) });
    },
  },
  {
    name: 'QE Identity signed by the PCK Platform CA (signer not a TCB Signing certificate)',
    code: 'QeIdentitySignature',
    check: 'qeIdentity.signer',
    build: () => {
      const s = s0();
      return withParts(s, {
        qeIdentity: signQeIdentity(s.pki, s.qeIdentity, { signingKey: s.pki.platformCa.privateKey }),
        qeIdentityIssuerChain: pckCaChainPem(s.pki, 'platform'),
      });
    },
  },

  // --- CollateralExpired -----------------------------------------------------------------------------
  { name: 'TCB Info past its nextUpdate', code: 'CollateralExpired', check: 'tcbInfo.validity', build: () => make({ expired: ['tcbInfo'] }) },
  { name: 'TCB Info before its issueDate', code: 'CollateralExpired', check: 'tcbInfo.validity', build: () => make({ notYetValid: ['tcbInfo'] }) },
  { name: 'QE Identity past its nextUpdate', code: 'CollateralExpired', check: 'qeIdentity.validity', build: () => make({ expired: ['qeIdentity'] }) },
  { name: 'QE Identity before its issueDate', code: 'CollateralExpired', check: 'qeIdentity.validity', build: () => make({ notYetValid: ['qeIdentity'] }) },

  // --- CollateralMismatch ----------------------------------------------------------------------------
  {
    name: 'TDX quote with the (validly signed) SGX TCB Info of its FMSPC',
    code: 'CollateralMismatch',
    check: 'tcbInfo.id',
    build: () => withParts(s0(), { tcbInfo: s0({ teeType: 'SGX' }).signedTcbInfo }),
  },
  {
    name: 'SGX quote with the TDX TCB Info of its FMSPC',
    code: 'CollateralMismatch',
    check: 'tcbInfo.id',
    build: () => withParts(s0({ teeType: 'SGX' }), { tcbInfo: s0().signedTcbInfo }),
  },
  {
    name: 'TDX quote with an SGX TCB Info v2 (no id)',
    code: 'CollateralMismatch',
    check: 'tcbInfo.id',
    build: () => withParts(s0(), { tcbInfo: s0({ teeType: 'SGX', tcbInfoVersion: 2 }).signedTcbInfo }),
  },

  // --- FmspcMismatch / PceIdMismatch ----------------------------------------------------------------
  { name: 'TCB Info for another FMSPC', code: 'FmspcMismatch', check: 'tcbInfo.fmspc', build: () => make({ tcbInfoFmspc: '00906EA10000' }) },
  {
    name: 'TCB Info for another PCE-ID',
    code: 'PceIdMismatch',
    check: 'tcbInfo.pceId',
    build: () =>
      make({
        mutateTcbInfo: (t) => {
          t.pceId = '0001';
        },
      }),
  },

  // --- TdxModuleMismatch -----------------------------------------------------------------------------
  {
    name: 'module version 1 but the TCB Info has only TDX_03',
    code: 'TdxModuleMismatch',
    check: 'tdxModule.identity',
    field: 'tdxModuleIdentities',
    build: () => make({ moduleIdentities: [{ version: 3, levels: [{ isvsvn: 3, status: 'UpToDate' }] }] }),
  },
  {
    name: 'module version 1 but the TCB Info has no tdxModuleIdentities',
    code: 'TdxModuleMismatch',
    check: 'tdxModule.identity',
    build: () => make({ moduleIdentities: [] }),
  },
  {
    name: 'MRSIGNERSEAM is not the module identity\'s MRSIGNER',
    code: 'TdxModuleMismatch',
    field: 'MRSIGNERSEAM',
    build: () => make({ quote: { tdBody: { mrsignerseam: 'aa'.repeat(48) } } }),
  },
  {
    name: 'SEAMATTRIBUTES not zero',
    code: 'TdxModuleMismatch',
    field: 'SEAMATTRIBUTES',
    build: () => make({ quote: { tdBody: { seamAttributes: '0100000000000000' } } }),
  },
  {
    // Intel QVL d12717e3 tdxEvaluateTCB on TEE_TCB_SVN2: no module identity → STATUS_TCB_NOT_SUPPORTED.
    name: 'TD 1.5 current pass: TEE_TCB_SVN2 names module version 2, which has no identity',
    code: 'TcbNotSupported',
    check: 'tcb.current.moduleIdentity',
    build: () => make({ quoteVersion: 5, bodyType: 3, moduleIsvsvn: 2, quote: { tdBody: { teeTcbSvn2: svn16(4, 2, 3) } } }),
  },

  // --- QeReportSignature -------------------------------------------------------------------------------
  { name: 'QE report signature does not verify', code: 'QeReportSignature', check: 'qeReport.signature', build: () => make({ corrupt: { qeReportSignature: true } }) },
  {
    name: 'certification data of another platform (valid chain, other PCK key)',
    code: 'QeReportSignature',
    check: 'qeReport.signature',
    build: () => {
      const s = s0();
      const other = mintPckCert(s.pki, {
        fmspc: s.pck.fmspc,
        tcbComponents: s.pck.tcbComponents,
        pcesvn: s.pck.pcesvn,
        notBefore: s.pck.notBefore,
        notAfter: s.pck.notAfter,
        label: 'another platform',
      });
      return requote(s, { chainPem: other.chainPem });
    },
  },

  // --- QeReportBinding ------------------------------------------------------------------------------------
  { name: 'QE report data is not SHA-256(attestation key ‖ QE auth data)', code: 'QeReportBinding', check: 'qeReport.reportData', build: () => make({ corrupt: { qeBinding: true } }) },
  {
    name: 'QE report data: upper 32 bytes not zero',
    code: 'QeReportBinding',
    check: 'qeReport.reportData',
    build: () => {
      const s = s0();
      const low = sha256(concatBytes(s.attestationPublicKey.subarray(1), defaultQeAuthData()));
      return make({ quote: { qeReport: { reportData: concatBytes(low, new Uint8Array(32).fill(1)) } } });
    },
  },
  {
    name: 'QE auth data replaced after the QE signed its report',
    code: 'QeReportBinding',
    check: 'qeReport.reportData',
    build: () => {
      const s = s0();
      const low = sha256(concatBytes(s.attestationPublicKey.subarray(1), defaultQeAuthData()));
      return make({ quote: { qeAuthData: labelBytes('other auth data', 32), qeReport: { reportData: concatBytes(low, new Uint8Array(32)) } } });
    },
  },

  // --- QuoteSignature ----------------------------------------------------------------------------------------
  { name: 'quote signature does not verify', code: 'QuoteSignature', check: 'quote.signature', build: () => make({ corrupt: { quoteSignature: true } }) },
  {
    name: 'TD report MRTD changed after signing',
    code: 'QuoteSignature',
    check: 'quote.signature',
    build: () => {
      const c = make();
      const q = Uint8Array.from(c.quote);
      q[MRTD_OFFSET]! ^= 0x01;
      return { ...c, quote: q };
    },
  },
  {
    name: 'attestation key replaced (the QE binds the new key, but the quote was signed by the old one)',
    code: 'QuoteSignature',
    check: 'quote.signature',
    build: () => make({ quote: { attestationPublicKey: OTHER_KEY } }),
  },

  // --- QeIdentityMismatch -------------------------------------------------------------------------------------
  {
    name: 'QE Identity MRSIGNER differs from the QE report',
    code: 'QeIdentityMismatch',
    field: 'MRSIGNER',
    build: () => make({ qeIdentity: { mrsigner: 'AB'.repeat(32) } }),
  },
  { name: 'QE Identity ISVPRODID differs from the QE report', code: 'QeIdentityMismatch', field: 'ISVPRODID', build: () => make({ qeIdentity: { isvprodid: 3 } }) },
  { name: 'QE report MISCSELECT bit outside the identity', code: 'QeIdentityMismatch', field: 'MISCSELECT', build: () => make({ quote: { qeReport: { miscselect: 1 } } }) },
  {
    name: 'QE running in debug mode (ATTRIBUTES.DEBUG under the mask)',
    code: 'QeIdentityMismatch',
    field: 'ATTRIBUTES',
    build: () => make({ quote: { qeReport: { attributes: '1700000000000000e700000000000000' } } }),
  },
  {
    name: 'TDX quote with the SGX QE Identity (id QE instead of TD_QE)',
    code: 'QeIdentityMismatch',
    field: 'id',
    build: () => withParts(s0(), { qeIdentity: s0({ teeType: 'SGX' }).signedQeIdentity }),
  },

  // --- TcbNotSupported --------------------------------------------------------------------------------------------
  {
    name: 'PCK components below every TCB level',
    code: 'TcbNotSupported',
    check: 'tcb.sgxLevel',
    build: () => make({ pckComponents: svn16(1, 1, 1, 1, 1, 1, 0, 1), pcesvn: 11 }),
  },
  {
    name: 'SGX: PCESVN below every TCB level',
    code: 'TcbNotSupported',
    check: 'tcb.sgxLevel',
    build: () => make({ teeType: 'SGX', pcesvn: 4 }),
  },
  { name: 'TEE_TCB_SVN[2] below every TDX level', code: 'TcbNotSupported', check: 'tcb.tdxLevel', build: () => make({ teeTcbSvn: svn16(4, 1, 1) }) },
  { name: 'module ISVSVN below every TDX_01 level', code: 'TcbNotSupported', check: 'tdxModule.tcbLevel', build: () => make({ moduleIsvsvn: 1 }) },
  { name: 'QE ISVSVN below every TD_QE level', code: 'TcbNotSupported', check: 'qeIdentity.tcbLevel', build: () => make({ qeIsvsvn: 1 }) },
  { name: 'SGX: QE ISVSVN below every QE level', code: 'TcbNotSupported', check: 'qeIdentity.tcbLevel', build: () => make({ teeType: 'SGX', qeIsvsvn: 1 }) },

  // --- InvalidArgument ------------------------------------------------------------------------------------------------
  {
    name: 'options without `at`',
    code: 'InvalidArgument',
    check: 'options.at',
    build: () => {
      const c = make();
      return { ...c, options: { rootPublicKey: c.options.rootPublicKey } as Case['options'] };
    },
  },
  { name: '`at` that is not a time', code: 'InvalidArgument', check: 'options.at', build: () => caseOf(s0(), { options: { at: 'yesterday' } }) },
  {
    name: 'compressed (33-byte) root public key',
    code: 'InvalidArgument',
    check: 'options.rootPublicKey',
    build: () => {
      const s = s0();
      const root = Uint8Array.of(2 + (s.rootPublicKey[64]! & 1), ...s.rootPublicKey.subarray(1, 33));
      return caseOf(s, { options: { rootPublicKey: root } });
    },
  },

  // --- DerParse (not reachable through verifyQuote: see errors.test.ts) -------------------------------------------------
  {
    name: 'readDer on a PCK certificate truncated by one byte (API level)',
    code: 'DerParse',
    check: 'der.length',
    direct: () => readDer(s0().pck.cert.subarray(0, -1)),
  },

  // --- Policy -------------------------------------------------------------------------------------------------------------
  { name: 'policy: OutOfDate refused by default', code: 'PolicyTcbStatus', check: 'policy.tcbStatus', build: () => caseOf(s0({ moduleIsvsvn: 2 }), { policy: {} }) },
  {
    name: 'policy: Revoked refused by default',
    code: 'PolicyTcbStatus',
    check: 'policy.tcbStatus',
    build: () =>
      caseOf(s0({ teeType: 'SGX', qeLevels: [{ isvsvn: 8, status: 'UpToDate' }, { isvsvn: 6, status: 'Revoked' }], qeIsvsvn: 7 }), { policy: {} }),
  },
  {
    name: 'policy: TDRelaunchAdvised refused by default',
    code: 'PolicyTcbStatus',
    check: 'policy.tcbStatus',
    build: () => caseOf(s0({ quoteVersion: 5, bodyType: 3, moduleIsvsvn: 2, quote: { tdBody: { teeTcbSvn2: svn16(4, 1, 3) } } }), { policy: {} }),
  },
  { name: 'policy: debug TD refused by default', code: 'PolicyDebug', check: 'policy.debug', build: () => caseOf(s0({ debug: true }), { policy: {} }) },
  { name: 'policy: debug enclave refused by default', code: 'PolicyDebug', check: 'policy.debug', build: () => caseOf(s0({ teeType: 'SGX', debug: true }), { policy: {} }) },
  {
    name: 'policy: rejected advisory on a SWHardeningNeeded platform',
    code: 'PolicyAdvisory',
    check: 'policy.advisoryIds',
    build: () =>
      caseOf(
        s0({
          mutateTcbInfo: (t) => {
            t.tcbLevels[0]!.tcbStatus = 'SWHardeningNeeded';
            t.tcbLevels[0]!.advisoryIDs = ['INTEL-SA-00615', 'INTEL-SA-00657'];
          },
        }),
        { policy: { rejectedAdvisoryIds: ['INTEL-SA-00657'] } },
      ),
  },
  { name: 'policy: MRTD not in the allow-list', code: 'PolicyMeasurement', check: 'policy.mrTd', build: () => caseOf(s0(), { policy: { allowedMrtds: ['00'.repeat(48)] } }) },
  { name: 'policy: RTMR3 not in the allow-list', code: 'PolicyMeasurement', check: 'policy.rtmr3', build: () => caseOf(s0(), { policy: { allowedRtmrs: { 3: ['11'.repeat(48)] } } }) },
  {
    name: 'policy: MRSERVICETD not in the allow-list (TD 1.5)',
    code: 'PolicyMeasurement',
    check: 'policy.mrServiceTd',
    build: () => caseOf(s0({ quoteVersion: 5, bodyType: 3, quote: { tdBody: { mrservicetd: 'ab'.repeat(48) } } }), { policy: { allowedMrServiceTds: ['00'.repeat(48)] } }),
  },
  { name: 'policy: MRCONFIGID not in the allow-list', code: 'PolicyMeasurement', check: 'policy.mrConfigId', build: () => caseOf(s0(), { policy: { allowedMrConfigIds: ['01'.repeat(48)] } }) },
  { name: 'policy: MROWNER not in the allow-list', code: 'PolicyMeasurement', check: 'policy.mrOwner', build: () => caseOf(s0(), { policy: { allowedMrOwners: ['01'.repeat(48)] } }) },
  { name: 'policy: REPORTDATA differs', code: 'PolicyMeasurement', check: 'policy.reportData', build: () => caseOf(s0(), { policy: { expectedReportData: 'ff'.repeat(64) } }) },
  { name: 'policy: FMSPC not in the allow-list', code: 'PolicyMeasurement', check: 'policy.fmspc', build: () => caseOf(s0(), { policy: { allowedFmspcs: ['00A067110000'] } }) },
  { name: 'policy: MRSIGNER not in the allow-list (SGX)', code: 'PolicyMeasurement', check: 'policy.mrSigner', build: () => caseOf(s0({ teeType: 'SGX' }), { policy: { allowedMrSigners: ['00'.repeat(32)] } }) },
  { name: 'policy: MRENCLAVE not in the allow-list (SGX)', code: 'PolicyMeasurement', check: 'policy.mrEnclave', build: () => caseOf(s0({ teeType: 'SGX' }), { policy: { allowedMrEnclaves: ['00'.repeat(32)] } }) },
  { name: 'policy: ISVPRODID not in the allow-list (SGX)', code: 'PolicyMeasurement', check: 'policy.isvProdId', build: () => caseOf(s0({ teeType: 'SGX' }), { policy: { allowedIsvProdIds: [7] } }) },
  { name: 'policy: ISVSVN below the minimum (SGX)', code: 'PolicyMeasurement', check: 'policy.minIsvSvn', build: () => caseOf(s0({ teeType: 'SGX' }), { policy: { minIsvSvn: 1 } }) },
  {
    name: 'policy: TD without SEPT_VE_DISABLE',
    code: 'PolicyAttributes',
    check: 'policy.septVeDisable',
    build: () => caseOf(s0({ quote: { tdBody: { tdAttributes: 0n } } }), { policy: {} }),
  },
  { name: 'policy: a TD-only rule (mrTd) for an SGX quote', code: 'PolicyViolation', check: 'policy.allowedMrtds', build: () => caseOf(s0({ teeType: 'SGX' }), { policy: { allowedMrtds: ['00'.repeat(48)] } }) },
  { name: 'policy: an SGX-only rule (mrEnclave) for a TD quote', code: 'PolicyViolation', check: 'policy.allowedMrEnclaves', build: () => caseOf(s0(), { policy: { allowedMrEnclaves: ['00'.repeat(32)] } }) },
  {
    name: 'policy: collateral tcbEvaluationDataNumber below the minimum',
    code: 'PolicyViolation',
    check: 'policy.tcbEvaluationDataNumber',
    build: () => caseOf(s0(), { policy: { minTcbEvaluationDataNumber: 18 } }),
  },
];

/**
 * Codes of src/errors.ts that the DCAP quote pipeline (verifyQuote + checkPolicy)
 * never produces: they belong to other pipelines, which test them with their
 * own inputs. A new code must be added either to ERROR_CASES or here.
 */
export const OTHER_PIPELINES: Readonly<Record<string, string>> = {
  RaTlsMissing: 'RA-TLS certificate extension (src/ra-tls)',
  RaTlsParse: 'RA-TLS attestation payload (src/ra-tls)',
  RaTlsUnsupported: 'RA-TLS attestation platforms (src/ra-tls)',
  RaTlsBinding: 'RA-TLS key binding (src/ra-tls)',
  RaTlsInconsistent: 'RA-TLS attestation fields vs quote (src/ra-tls)',
  EventLogParse: 'TDX event logs (src/ratls/event-log*)',
  EventLogReplay: 'RTMR replay (src/ra-tls)',
  AttestationReportParse: 'sidecar /attestation reports',
  AttestationReportBinding: 'sidecar /attestation reports',
  TokenParse: 'Intel Trust Authority JWT / JWKS',
  TokenSignature: 'Intel Trust Authority JWT / JWKS',
  TokenExpired: 'Intel Trust Authority JWT / JWKS',
  TokenClaims: 'Intel Trust Authority JWT / JWKS',
  VerifierUnavailable: 'remote verifiers and injected providers',
  CollateralFetch: 'collateral fetching (src/sources/dcap, src/sources/dcap)',
  PolicySimulator: 'simulator / NoopVerifier results (RA-TLS policy)',
  PolicyFreshness: 'report freshness (RA-TLS / sidecar policy)',
  SnpReportParse: 'AMD SEV-SNP (src/snp)',
  SnpReportUnsupported: 'AMD SEV-SNP (src/snp)',
  SnpExtensionParse: 'AMD SEV-SNP (src/snp)',
  SnpCertTableParse: 'AMD SEV-SNP (src/snp)',
  SnpReportSignature: 'AMD SEV-SNP (src/snp)',
  SnpCertChain: 'AMD SEV-SNP (src/snp)',
  SnpTcbMismatch: 'AMD SEV-SNP (src/snp)',
  SnpChipIdMismatch: 'AMD SEV-SNP (src/snp)',
  SnpProductMismatch: 'AMD SEV-SNP (src/snp)',
  SnpSigningKeyMismatch: 'AMD SEV-SNP (src/snp)',
  PolicyTcbVersion: 'AMD SEV-SNP policy (src/snp)',
  ProvenanceParse: 'measurement provenance (src/provenance)',
  ProvenanceSignature: 'measurement provenance (src/provenance)',
  ProvenanceIdentity: 'measurement provenance (src/provenance)',
  PolicyProvenance: 'measurement provenance policy (src/provenance)',
  // provenance subject and Rekor (issue 19 §4, issue 21): test/provenance/patterns.test.ts, rekor.test.ts
  ProvenanceSubject: 'in-toto subject check (src/provenance)',
  RekorUnavailable: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorParse: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorNotFound: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorEntryMismatch: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorSignedEntryTimestamp: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorInclusionProof: 'Rekor transparency check (src/provenance/rekor.ts)',
  RekorCheckpoint: 'Rekor transparency check (src/provenance/rekor.ts)',
  // noise (issue 21): test/noise/
  NoiseParse: 'attested Noise channel (src/noise)',
  NoiseDecrypt: 'attested Noise channel (src/noise)',
  NoiseBinding: 'attested Noise channel (src/noise)',
  NoiseEvidence: 'attested Noise channel (src/noise)',
  NoiseState: 'attested Noise channel (src/noise)',
  NoiseTransport: 'attested Noise channel (src/noise)',
  DsnInvalid: 'Postgres RA-TLS connector DSN',
  DsnCredentials: 'Postgres RA-TLS connector DSN',
  MissingDstackSocket: 'dstack guest agent (RA-TLS client certificates)',
  DstackAgent: 'dstack guest agent (RA-TLS client certificates)',
  RaTlsConnect: 'RA-TLS connections',
  RaTlsNoPeerCertificate: 'RA-TLS connections',
  EventLogStructure: 'RA-TLS boot-claim rules (src/ra-tls/rtmr3-claims.ts, test/adversarial)',
  TokenPolicyUnmatched: 'Intel Trust Authority policy ids (test/adversarial)',
  RaTlsRenegotiation: 'RA-TLS connections (test/adversarial)',
  DependencyMissing: 'optional peer dependencies (src/util/optional-dependency.ts, test/package)',
  PoolQueueFull: 'verifier pool (src/pool; test/pool/pool.test.ts)',
  PoolClosed: 'verifier pool (src/pool; test/pool/pool.test.ts)',
  AttestationReportInconsistent: 'sidecar /attestation report (test/ratls/sidecar-report*.ts)',
  AttestationReportFetch: 'sidecar /attestation report fetch (test/ratls/sidecar-report*.ts)',
  RaTlsCertificateMismatch: 'RA-TLS certificate fingerprint pin (test/postgres/verify-server.test.ts)',
};

/** Codes covered only by a direct library call, not through verifyQuote (reported as unreachable from a quote). */
export const API_ONLY = new Set<ErrorCode>(['DerParse']);
