/**
 * Does collateral answer its request? Parsed and compared, not yet verified:
 * a KDS (or bundle) that returns another chip's VCEK, another TCB's VCEK or
 * another product's chain is misbehaving, and is refused (CollateralMismatch)
 * before anything is cached. Signatures are checked by verify.ts.
 */
import { VerifyError } from '../../errors.js';
import { bytesEqual, fromHex, toHex } from '../../lib/bytes.js';
import type { AnyAlgCertificate } from '../../x509/certificate.js';
import type { AnyAlgCrl } from '../../x509/crl.js';
import { commonName } from '../chain.js';
import { parseEndorsementExtensions } from '../extensions.js';
import { certificateFromInput, certificatesFromInput, crlFromInput } from '../inputs.js';
import { tcbText } from '../tcb.js';
import type { SnpCaCollateral, SnpCaRequest, SnpVcekCollateral, SnpVcekRequest } from './types.js';

function mismatch(message: string, field: string, expected: string, found: string): never {
  throw new VerifyError('CollateralMismatch', message, { check: `snp.collateral.fit.${field}`, field, expected, found });
}

export interface ParsedSnpCa {
  readonly intermediate: AnyAlgCertificate;
  readonly ark: AnyAlgCertificate;
  readonly crl?: AnyAlgCrl;
}

/** Parses a CA answer and checks it is the requested product's ASK / ASVK and ARK. */
export function parseSnpCaCollateral(request: SnpCaRequest, c: SnpCaCollateral): ParsedSnpCa {
  const certs = certificatesFromInput(c.certChain, 'certChain');
  const interName = request.keyType === 'VCEK' ? `SEV-${request.product}` : `SEV-VLEK-${request.product}`;
  const intermediate = certs.filter((x) => commonName(x.subjectText) === interName);
  const ark = certs.filter((x) => commonName(x.subjectText) === `ARK-${request.product}`);
  if (intermediate.length !== 1 || ark.length !== 1 || certs.length !== 2) {
    mismatch(`cert_chain is not the ${request.product} ${request.keyType === 'VCEK' ? 'ASK' : 'ASVK'} and ARK`, 'certChain', `CN=${interName}, CN=ARK-${request.product}`, certs.map((x) => commonName(x.subjectText) ?? x.subjectText).join(', '));
  }
  const crl = c.crl === undefined ? undefined : crlFromInput(c.crl);
  if (crl !== undefined && !bytesEqual(crl.issuer, ark[0]!.subject)) {
    mismatch('CRL is not issued by the ARK of the chain', 'crl', ark[0]!.subjectText, crl.issuerText);
  }
  return { intermediate: intermediate[0]!, ark: ark[0]!, crl };
}

/** Parses a VCEK answer and checks its product, SPLs and hwID against the request. */
export function parseSnpVcekCollateral(request: SnpVcekRequest, c: SnpVcekCollateral): AnyAlgCertificate {
  const vcek = certificateFromInput(c.vcek, 'vcek');
  if (commonName(vcek.subjectText) !== 'SEV-VCEK') mismatch('answer is not a VCEK', 'vcek.subject', 'CN=SEV-VCEK', vcek.subjectText);
  const ext = parseEndorsementExtensions(vcek);
  if (ext.product !== request.product) mismatch('VCEK is for another product', 'vcek.product', request.product, ext.productName);
  const t = request.tcb;
  if (ext.bootloader !== t.bootloader || ext.tee !== t.tee || ext.snp !== t.snp || ext.microcode !== t.microcode || ext.fmc !== t.fmc) {
    mismatch('VCEK is for another TCB', 'vcek.tcb', tcbText(t), tcbText(ext));
  }
  if (ext.hwId === undefined || !bytesEqual(ext.hwId, fromHex(request.hwid))) {
    mismatch('VCEK is for another chip', 'vcek.hwid', request.hwid, ext.hwId === undefined ? 'absent' : toHex(ext.hwId));
  }
  return vcek;
}

/** Parses a bundle's collateral and checks it fits the bundle's request (either kind). */
export function checkSnpBundleFits(bundle: { readonly request: SnpCaRequest | SnpVcekRequest; readonly collateral: SnpCaCollateral | SnpVcekCollateral }): void {
  if (bundle.request.kind === 'vcek') parseSnpVcekCollateral(bundle.request, bundle.collateral as SnpVcekCollateral);
  else parseSnpCaCollateral(bundle.request, bundle.collateral as SnpCaCollateral);
}
