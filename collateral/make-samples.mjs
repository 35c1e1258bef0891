// Writes the offline collateral bundles for the dcap-qvl sample quotes into
// collateral/ (the StaticSource layout), from vectors/dcap/dcap-qvl/*.json.
// Run after `npm run build`: node collateral/make-samples.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { collateralJsonToBundle, serializeBundle, bundleFileName } from '../dist/index.js';

const cases = [
  [{ teeType: 'SGX', fmspc: '00a067110000', ca: 'processor' }, 'sgx_quote_collateral.json'],
  [{ teeType: 'TDX', fmspc: 'b0c06f000000', ca: 'platform' }, 'tdx_quote_collateral.json'],
  [{ teeType: 'TDX', fmspc: '20a06f000000', ca: 'platform' }, 'near/quote_collateral.json'],
];
for (const [request, file] of cases) {
  const json = JSON.parse(readFileSync(new URL(`../vectors/dcap/dcap-qvl/${file}`, import.meta.url), 'utf8'));
  const bundle = { request, collateral: collateralJsonToBundle(json), metadata: { source: `vectors/dcap/dcap-qvl/${file}` } };
  const name = bundleFileName(request);
  writeFileSync(new URL(name, import.meta.url), serializeBundle(bundle));
  console.log(`wrote collateral/${name}`);
}
