/**
 * Verify a collateral bundle on its own (no quote): the checks a cache must
 * pass before it stores anything, so that it only ever holds collateral that
 * Intel signed and that was valid when stored.
 *
 *   1. parse (CollateralParse / PemParse / CertificateParse / CrlParse) and fit
 *      the request (FmspcMismatch / CollateralMismatch);
 *   2. PCK CRL issuer chain to the pinned root, with the root CA CRL applied
 *      (CrlSignature, UntrustedRoot, CertificateExpired, CrlRevoked, CrlExpired);
 *   3. PCK CRL signed by that CA and current (CrlSignature / CrlExpired);
 *   4. TCB Info and QE Identity: chains to the pinned root (root CA CRL applied),
 *      signatures over the exact signed bytes, issueDate..nextUpdate
 *      (TcbInfoSignature / QeIdentitySignature / CollateralExpired) —
 *      the same checks as `verifyQuote` steps 2-3 (QVL 4.1.2.2-4.1.2.4).
 *
 * Pure: the time, the root key and the crypto backend are inputs.
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { defaultCryptoBackend } from '../../crypto/default.js';
import { verifyChain, verifyCrl } from '../../verify/chain.js';
import { verifyCollateralDocuments } from '../../verify/collateral.js';
import { intelRootPublicKey } from '../../verify/root.js';
import { parseCollateral, type Collateral } from '../../collateral/parse.js';
import { checkCollateralFits } from './fit.js';
import { normalizeRequest } from './request.js';
import type { CollateralBundle, CollateralRequest } from './types.js';

export interface VerifyBundleOptions {
  /** Verification time, unix seconds. */
  readonly at: number;
  /** Trust anchor (65-byte uncompressed P-256 point). Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
}

export interface CollateralValidity {
  /** Unix seconds: the latest issueDate / thisUpdate / certificate notBefore. */
  readonly validFrom: number;
  /** Unix seconds: the earliest nextUpdate (TCB Info, QE Identity, both CRLs) or certificate notAfter. */
  readonly validUntil: number;
}

/** The window in which every dated item of the collateral is valid (CRLs without nextUpdate count as already expired). */
export function collateralValidity(c: Collateral): CollateralValidity {
  const certs = [...c.tcbInfo.chain, ...c.qeIdentity.chain, ...c.pckCrlChain];
  const from = [
    c.tcbInfo.info.issueDate,
    c.qeIdentity.identity.issueDate,
    c.rootCaCrl.thisUpdate,
    c.pckCrl.thisUpdate,
    ...certs.map((x) => x.notBefore),
  ];
  const until = [
    c.tcbInfo.info.nextUpdate,
    c.qeIdentity.identity.nextUpdate,
    c.rootCaCrl.nextUpdate ?? Number.NEGATIVE_INFINITY,
    c.pckCrl.nextUpdate ?? Number.NEGATIVE_INFINITY,
    ...certs.map((x) => x.notAfter),
  ];
  return { validFrom: Math.max(...from), validUntil: Math.min(...until) };
}

/** Steps 2-4 on already parsed collateral (step 1's fit check included). */
export async function verifyParsedCollateral(
  request: CollateralRequest,
  parsed: Collateral,
  options: VerifyBundleOptions,
): Promise<CollateralValidity> {
  const at = options.at;
  const crypto = options.crypto ?? defaultCryptoBackend();
  const rootPublicKey = options.rootPublicKey ?? intelRootPublicKey();
  checkCollateralFits(normalizeRequest(request), parsed);

  // 2. The PCK CA (issuer of the PCK CRL) chains to the root; the root CA CRL is verified and applied.
  await verifyChain(parsed.pckCrlChain, {
    rootPublicKey,
    at,
    crypto,
    crls: [parsed.rootCaCrl],
    context: 'pckCrl',
    failCode: 'CrlSignature',
  });
  // 3. The PCK CRL is signed by that CA and current.
  await verifyCrl(parsed.pckCrl, parsed.pckCrlChain[0]!, { at, crypto, context: 'pckCrl' });

  // 4. TCB Info and QE Identity.
  await verifyCollateralDocuments({ at, crypto, rootPublicKey, rootCaCrl: parsed.rootCaCrl }, parsed);
  return collateralValidity(parsed);
}

/** Parse and verify a bundle at `options.at`. Returns the parsed collateral and its validity window. */
export async function verifyCollateralBundle(
  bundle: CollateralBundle,
  options: VerifyBundleOptions,
): Promise<CollateralValidity & { readonly collateral: Collateral }> {
  const parsed = parseCollateral(bundle.collateral);
  const validity = await verifyParsedCollateral(bundle.request, parsed, options);
  return { ...validity, collateral: parsed };
}
