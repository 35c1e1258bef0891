/**
 * Before verifying: is the collateral for this quote's TEE, FMSPC and PCK CA?
 * The verifier would refuse such collateral too, but with the message of the
 * first check that trips (e.g. "no CRL covers the PCK certificate"); the CLI
 * says what is wrong in the user's words: wrong TEE, wrong FMSPC, wrong CA.
 * `verify` parses the quote and the collateral once (parseForVerify) and hands
 * the same parsed values to this check and to the verification.
 */
import { VerifyError } from '../errors.js';
import type { CollateralInput } from '../collateral/input.js';
import { parseCollateral, type Collateral } from '../collateral/parse.js';
import { parseQuote } from '../quote/parse.js';
import type { Quote } from '../quote/types.js';
import { collateralRequestForQuote, pckCaOfName } from '../sources/dcap/request.js';
import type { CollateralRequest } from '../sources/dcap/types.js';
import { toHex } from '../lib/bytes.js';

interface Identity {
  readonly teeType?: string;
  readonly fmspc?: string;
  readonly ca?: string;
}

/**
 * The quote and the collateral parsed once, for this check and for `verifyQuote`
 * (which takes either form). An input that does not parse is returned as given:
 * `verifyQuote` parses it again and reports the exact error.
 */
export function parseForVerify(
  quote: Uint8Array,
  collateral: CollateralInput,
  trailingBytes: 'reject' | 'zeros' | 'any',
): { quote: Uint8Array | Quote; collateral: CollateralInput | Collateral } {
  let q: Uint8Array | Quote = quote;
  let c: CollateralInput | Collateral = collateral;
  try {
    q = parseQuote(quote, { trailingBytes });
  } catch {
    // reported by verifyQuote
  }
  try {
    c = parseCollateral(collateral);
  } catch {
    // reported by verifyQuote
  }
  return { quote: q, collateral: c };
}

function isParsed(c: CollateralInput | Collateral): c is Collateral {
  return typeof (c as Collateral).tcbInfo === 'object' && (c as Collateral).tcbInfo !== null && typeof (c as Collateral).tcbInfo.info === 'object';
}

function collateralIdentity(collateral: CollateralInput | Collateral, fromBundle: CollateralRequest | undefined): Identity | undefined {
  if (fromBundle !== undefined) return { teeType: fromBundle.teeType, fmspc: fromBundle.fmspc.toLowerCase(), ca: fromBundle.ca };
  try {
    const c = isParsed(collateral) ? collateral : parseCollateral(collateral);
    const ca = pckCaOfName(c.pckCrl.issuerText);
    return { teeType: c.tcbInfo.info.id, fmspc: toHex(c.tcbInfo.info.fmspc), ...(ca === undefined ? {} : { ca }) };
  } catch {
    return undefined; // malformed collateral: the verifier reports it precisely
  }
}

/** Throws CollateralMismatch naming each of TEE / FMSPC / CA that differs between the quote and the collateral. */
export function checkCollateralMatchesQuote(
  quote: Uint8Array | Quote,
  collateral: CollateralInput | Collateral,
  options: { trailingBytes: 'reject' | 'zeros' | 'any'; bundleRequest?: CollateralRequest; source: string },
): void {
  let want: CollateralRequest;
  try {
    want = collateralRequestForQuote(quote, { trailingBytes: options.trailingBytes });
  } catch {
    return; // the quote itself is the problem: the verifier reports it
  }
  const got = collateralIdentity(collateral, options.bundleRequest);
  if (got === undefined) return;
  const wrong: string[] = [];
  if (got.teeType !== undefined && got.teeType !== want.teeType) wrong.push(`wrong TEE (the quote is ${want.teeType}, the collateral is for ${got.teeType})`);
  if (got.fmspc !== undefined && got.fmspc !== want.fmspc) wrong.push(`wrong FMSPC (the quote's platform is ${want.fmspc}, the collateral is for ${got.fmspc})`);
  if (got.ca !== undefined && got.ca !== want.ca) wrong.push(`wrong CA (the quote's PCK certificate is from the ${want.ca} CA, the collateral's PCK CRL is the ${got.ca} CA's)`);
  if (wrong.length === 0) return;
  throw new VerifyError('CollateralMismatch', `collateral ${options.source} is not for this quote: ${wrong.join('; ')}`, {
    check: 'cli.collateral.match',
    expected: `${want.teeType} FMSPC ${want.fmspc} ${want.ca} CA`,
    found: `${got.teeType ?? '?'} FMSPC ${got.fmspc ?? '?'} ${got.ca ?? '?'} CA`,
  });
}
