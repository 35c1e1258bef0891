/**
 * Authenticity of the collateral: TCB Info and QE Identity signatures over
 * their exact signed bytes, their signing chains to the pinned root (with the
 * root CA CRL applied), and their validity windows (QVL steps 4.1.2.2-4.1.2.4).
 */
import { VerifyError, type ErrorCode, attestationError } from '../errors.js';
import type { CryptoBackend } from '../crypto/backend.js';
import type { Certificate } from '../x509/certificate.js';
import type { Crl } from '../x509/crl.js';
import type { Collateral } from '../collateral/parse.js';
import { isoFromSeconds } from '../lib/time.js';
import { verifyChain } from './chain.js';
import { commonNames } from '../x509/name.js';

export interface CollateralCheckContext {
  readonly at: number;
  readonly crypto: CryptoBackend;
  readonly rootPublicKey: Uint8Array;
  readonly rootCaCrl: Crl;
}

/** The signer of TCB Info and QE Identity is Intel's "TCB Signing" certificate. */
function checkSignerName(cert: Certificate, context: string, code: ErrorCode): void {
  if (!commonNames(cert.subject).some((cn) => cn.includes('TCB Signing'))) {
    throw attestationError(code, `${context} is not signed by a TCB Signing certificate`, {
      check: `${context}.signer`,
      field: 'subject',
      expected: 'CN=… TCB Signing',
      found: cert.subjectText,
    });
  }
}

/** Verify a signed JSON object (TCB Info or QE Identity): chain, signature over the exact bytes, dates. */
export async function verifySignedJson(
  ctx: CollateralCheckContext,
  what: 'tcbInfo' | 'qeIdentity',
  document: { readonly bytes: Uint8Array; readonly issueDate: number; readonly nextUpdate: number },
  signature: Uint8Array,
  chain: readonly Certificate[],
): Promise<void> {
  const code: ErrorCode = what === 'tcbInfo' ? 'TcbInfoSignature' : 'QeIdentitySignature';
  const signer = chain[0];
  if (signer === undefined) {
    throw attestationError(code, `${what} issuer chain is empty`, { check: `${what}.chain`, expected: '>= 1 certificate', found: '0' });
  }
  await verifyChain(chain, {
    rootPublicKey: ctx.rootPublicKey,
    at: ctx.at,
    crypto: ctx.crypto,
    crls: [ctx.rootCaCrl],
    context: what,
    failCode: code,
  });
  checkSignerName(signer, what, code);
  if (!(await ctx.crypto.verifyP256(signer.publicKey, document.bytes, signature))) {
    throw attestationError(code, `${what} signature does not verify over the signed bytes`, {
      check: `${what}.signature`,
      field: 'signature',
    });
  }
  if (ctx.at < document.issueDate || ctx.at > document.nextUpdate) {
    throw new VerifyError('CollateralExpired', `${what} is not valid at ${isoFromSeconds(ctx.at)}`, {
      check: `${what}.validity`,
      field: ctx.at < document.issueDate ? 'issueDate' : 'nextUpdate',
      expected: `${isoFromSeconds(document.issueDate)} .. ${isoFromSeconds(document.nextUpdate)}`,
      found: isoFromSeconds(ctx.at),
    });
  }
}

/**
 * Both signed documents of `collateral`, TCB Info then QE Identity
 * (4.1.2.2-4.1.2.4), each with `verifySignedJson`.
 */
export async function verifyCollateralDocuments(ctx: CollateralCheckContext, collateral: Collateral): Promise<void> {
  await verifySignedJson(ctx, 'tcbInfo', collateral.tcbInfo.info, collateral.tcbInfo.signature, collateral.tcbInfo.chain);
  await verifySignedJson(ctx, 'qeIdentity', collateral.qeIdentity.identity, collateral.qeIdentity.signature, collateral.qeIdentity.chain);
}
