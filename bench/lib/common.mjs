/**
 * Shared by the bench parent (run.mjs) and its workers (worker.mjs): paths,
 * the benchmark vectors and the crypto backends, all loaded from dist/ (the
 * built package, as a user gets it).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const RESULTS_DIR = resolve(BENCH_DIR, 'results');

/** Import a module of the built package: dist(`verify/chain.js`). */
export function dist(path) {
  return import(pathToFileURL(resolve(ROOT, 'dist', path)).href);
}

/**
 * The benchmark vectors: dcap-qvl's real TDX and SGX quotes with the
 * collateral captured with them, at the time their tests use. Every contender
 * (ours and the peers) gets the same quote bytes and the same collateral object.
 */
export const VECTORS = {
  tdx: {
    label: 'TDX v4 (dcap-qvl tdx_quote)',
    quote: 'vectors/dcap/dcap-qvl/tdx_quote',
    collateral: 'vectors/dcap/dcap-qvl/tdx_quote_collateral.json',
    at: 1752919234,
  },
  sgx: {
    label: 'SGX v3 (dcap-qvl sgx_quote)',
    quote: 'vectors/dcap/dcap-qvl/sgx_quote',
    collateral: 'vectors/dcap/dcap-qvl/sgx_quote_collateral.json',
    at: 1752919277,
  },
};

/** Quote files may be binary or hex text (as the CLI accepts them). */
export function decodeBinaryOrHex(raw) {
  const text = new TextDecoder().decode(raw).trim();
  if (text.length > 0 && /^(0x)?[0-9a-fA-F\s]+$/.test(text)) {
    return Uint8Array.from(Buffer.from(text.replace(/^0x/, '').replace(/\s+/g, ''), 'hex'));
  }
  return raw;
}

export function loadVector(id) {
  const v = VECTORS[id];
  if (v === undefined) throw new Error(`unknown vector ${id}`);
  const quote = decodeBinaryOrHex(new Uint8Array(readFileSync(resolve(ROOT, v.quote))));
  const collateralText = readFileSync(resolve(ROOT, v.collateral), 'utf8');
  return { ...v, id, quote, collateralText, collateral: JSON.parse(collateralText) };
}

/** Backend factories by name: node:crypto (tee-attest/node), WebCrypto, @noble/curves. */
export async function backendFactories() {
  const core = await dist('index.js');
  const node = await dist('node/index.js');
  return {
    node: () => node.nodeBackend(),
    webcrypto: () => core.webCryptoBackend(),
    noble: () => core.nobleBackend(),
  };
}

export const BACKENDS = ['node', 'webcrypto', 'noble'];
