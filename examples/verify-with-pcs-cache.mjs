// Verify a quote with collateral fetched from Intel PCS (or your PCCS) through
// the verifying cache: collateral is checked (signatures to Intel's root, CRLs,
// dates) before it is cached, kept in memory and on disk, and reused until it
// expires.
//
//   node examples/verify-with-pcs-cache.mjs [QUOTE_FILE]
//
// Environment (all optional):
//   PCS_URL          PCS / PCCS base URL (default Intel PCS, https://api.trustedservices.intel.com)
//   PCS_ALLOW_HTTP=1 allow an http:// PCS_URL (a PCCS on a trusted network, tests); off by default
//   CACHE_DIR        persistent cache directory (default <tmp>/tee-attest-collateral)
//   VERIFY_AT        verification time, RFC 3339 (default now); the sample quote's collateral
//                    expired in July 2025, so the sample only verifies with an earlier time
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { verifyQuote } from 'tee-attest';
import { INTEL_PCS_BASE_URL, PcsSource, collateralRequestForQuote } from 'tee-attest/collateral';
import { createNodeCachedSource, createUndiciFetch } from 'tee-attest/node';

const packageDir = dirname(createRequire(import.meta.url).resolve('tee-attest/package.json'));
const quote = new Uint8Array(readFileSync(process.argv[2] ?? join(packageDir, 'vectors/dcap/dcap-qvl/tdx_quote')));

const baseUrl = process.env.PCS_URL || INTEL_PCS_BASE_URL;
const at = process.env.VERIFY_AT ? new Date(process.env.VERIFY_AT) : new Date();

const source = createNodeCachedSource({
  upstream: new PcsSource({
    fetch: createUndiciFetch(),
    baseUrl,
    // A named relaxation, only when asked for: plain http to the PCS.
    allowInsecureHttp: process.env.PCS_ALLOW_HTTP === '1',
  }),
  cacheDir: process.env.CACHE_DIR || join(tmpdir(), 'tee-attest-collateral'),
  // The cache judges freshness and verifies collateral at this clock's time
  // (a Clock returns unix seconds or a Date; default: the system clock).
  clock: () => at,
});

// Which collateral: TEE type from the header, FMSPC and PCK CA from the quote's PCK certificate.
const request = collateralRequestForQuote(quote);
for (const attempt of ['first', 'second']) {
  const bundle = await source.getCollateral(request, { at });
  const verified = await verifyQuote(quote, bundle.collateral, { at });
  const cache = bundle.metadata.cache;
  console.log(`${attempt}: collateral from ${bundle.metadata.source}, cache ${cache?.status ?? 'none'}` +
    (cache?.validUntil ? `, valid until ${new Date(cache.validUntil * 1000).toISOString()}` : ''));
  console.log(`${attempt}: verdict ${verified.status}, mrtd ${verified.report.kind === 'sgx' ? '(sgx)' : verified.report.mrTd}`);
}
