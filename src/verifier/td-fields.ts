/**
 * TD measurement fields of a parsed TDX quote body ([TDX-QL] Appendix A.3.2
 * "TD Quote Body"), as the hex strings of a VerificationResult. The values
 * are only as trustworthy as the verification that accompanies them.
 */
import { ParseError } from '../errors.js';
import { tdAttributeFlags } from '../quote/attributes.js';
import { parseQuote } from '../quote/parse.js';
import type { Quote, TdReportBody } from '../quote/types.js';
import { toHex } from '../lib/bytes.js';
import type { VerificationResult } from './types.js';

export type TdFields = Pick<
  VerificationResult,
  | 'teeType'
  | 'mrtd'
  | 'rtmr0'
  | 'rtmr1'
  | 'rtmr2'
  | 'rtmr3'
  | 'reportData'
  | 'mrConfigId'
  | 'mrOwner'
  | 'mrOwnerConfig'
  | 'mrSeam'
  | 'tdAttributes'
  | 'xfam'
  | 'isDebug'
  | 'septVeDisable'
>;

export function tdFields(body: TdReportBody): TdFields {
  const flags = tdAttributeFlags(body.tdAttributes);
  return {
    teeType: 'TDX',
    mrtd: toHex(body.mrTd),
    rtmr0: toHex(body.rtmr0),
    rtmr1: toHex(body.rtmr1),
    rtmr2: toHex(body.rtmr2),
    rtmr3: toHex(body.rtmr3),
    reportData: toHex(body.reportData),
    mrConfigId: toHex(body.mrConfigId),
    mrOwner: toHex(body.mrOwner),
    mrOwnerConfig: toHex(body.mrOwnerConfig),
    mrSeam: toHex(body.mrSeam),
    tdAttributes: toHex(body.tdAttributes),
    xfam: toHex(body.xfam),
    isDebug: flags.debug,
    septVeDisable: flags.septVeDisable,
  };
}

/** Parses a TDX quote (zero padding tolerated, as TDX guests hand out fixed buffers); SGX quotes are QuoteUnsupported. */
export function parseTdxQuote(quote: Uint8Array, trailingBytes: 'reject' | 'zeros' | 'any' = 'zeros'): Quote & { teeType: 'TDX'; body: TdReportBody } {
  const q = parseQuote(quote, { trailingBytes });
  if (q.teeType !== 'TDX') {
    throw new ParseError('QuoteUnsupported', 'RA-TLS verifiers handle Intel TDX quotes only', {
      check: 'quote.teeType',
      expected: 'TDX',
      found: q.teeType,
    });
  }
  return q as Quote & { teeType: 'TDX'; body: TdReportBody };
}
