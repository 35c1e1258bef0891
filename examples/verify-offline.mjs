// Verify a DCAP quote offline: the quote and its collateral are files, no
// network, and the verification time is given explicitly (the core reads no clock).
//
//   node examples/verify-offline.mjs [QUOTE_FILE COLLATERAL_FILE AT]
//
// Without arguments it verifies the bundled sample: dcap-qvl's TDX quote and
// its collateral bundle (collateral/tdx-b0c06f000000-platform.json), at a time
// inside that collateral's validity window (it expired in July 2025).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkPolicy, fromHex, verifyQuote } from 'tee-attest';

const packageDir = dirname(createRequire(import.meta.url).resolve('tee-attest/package.json'));
const [quoteFile, collateralFile, at] = process.argv.length > 2
  ? process.argv.slice(2)
  : [
      join(packageDir, 'vectors/dcap/dcap-qvl/tdx_quote'),
      join(packageDir, 'collateral/tdx-b0c06f000000-platform.json'),
      '2025-07-19T10:00:34Z',
    ];

// A quote file is binary or hex text.
const raw = readFileSync(quoteFile);
const text = raw.toString('latin1').trim();
const quote = /^[0-9a-fA-F\s]+$/.test(text) ? fromHex(text.replace(/\s+/g, '')) : new Uint8Array(raw);

// Collateral: Intel / dcap-qvl JSON, or a bundle written by `dcap collateral fetch` (its `collateral` member).
const json = JSON.parse(readFileSync(collateralFile, 'utf8'));
const collateral = json.format === 'tee-attest/collateral-bundle/v1' ? json.collateral : json;

// 1. Verify: signatures, chains to Intel's pinned root, CRLs, dates, TCB level. Throws a coded AttestationError.
const verified = await verifyQuote(quote, collateral, { at });
const measurement = verified.report.kind === 'sgx' ? verified.report.mrEnclave : verified.report.mrTd;
console.log(`verdict: ${verified.status}${verified.advisoryIds.length ? ` [${verified.advisoryIds.join(', ')}]` : ''}`);
console.log(`${verified.report.kind === 'sgx' ? 'mrenclave' : 'mrtd'}: ${measurement}`);

// 2. Policy: which statuses and which measurements you accept. Here: the default
//    statuses and exactly this MRTD (pin your own build's value).
const violations = checkPolicy(verified, verified.report.kind === 'sgx' ? {} : { allowedMrtds: [measurement] });
console.log(`policy: ${violations.length === 0 ? 'accepted' : violations.map((v) => v.message).join('; ')}`);
