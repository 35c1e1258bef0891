/**
 * Inputs of the runtime matrix (Node side): every bundled DCAP sample of
 * vectors/samples.json, the MANIFEST §6 RA-TLS certificates, the virtee
 * SEV-SNP Milan report, and the built entry files resolved through the
 * package's own `exports` map (what a consumer's `import 'tee-attest/…'`
 * loads). Bytes travel as base64 so that the same JSON reaches every host.
 */
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { X509Certificate } from 'node:crypto';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const V = join(ROOT, 'vectors');

/** The entries that claim to run everywhere, plus testing for the no-op RA-TLS verifier. */
export const ENTRIES = { core: '.', raTls: './ra-tls', collateral: './collateral', snp: './snp', testing: './testing' };

/** Absolute paths of the built entry files, from package.json `exports`. */
export function entryFiles() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const out = {};
  for (const [key, sub] of Object.entries(ENTRIES)) out[key] = join(ROOT, pkg.exports[sub].default);
  return out;
}

export const entryUrls = () => Object.fromEntries(Object.entries(entryFiles()).map(([k, p]) => [k, pathToFileURL(p).href]));

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** undefined when dist/ is built and newer than src/, else the reason it is not. */
export function distProblem() {
  const files = entryFiles();
  for (const f of Object.values(files)) {
    try {
      statSync(f);
    } catch {
      return `${f} is missing: run \`npm run build\` first (npm test does)`;
    }
  }
  const built = Math.min(...Object.values(files).map((f) => statSync(f).mtimeMs));
  if (newestMtime(join(ROOT, 'src')) > built) return 'dist/ is older than src/: run `npm run build` first (npm test does)';
  return undefined;
}

const b64 = (p) => readFileSync(p).toString('base64');

/** A quote file as `npm start` (dcap samples) reads it: binary, or hex text decoded. */
function quoteB64(p) {
  const raw = readFileSync(p);
  const text = raw.toString('latin1').trim();
  return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex').toString('base64') : raw.toString('base64');
}

/** The SPKI of the PEM's certificate, as raw EC point (for a sample's `root`). */
function rootHex(pemPath) {
  const spki = new X509Certificate(readFileSync(pemPath)).publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(spki.subarray(spki.length - 65)).toString('hex');
}

export const SAMPLES = JSON.parse(readFileSync(join(V, 'samples.json'), 'utf8')).samples;

/** Fixed verification times: the synth RA-TLS certificate's window (1975 to 2035) and the SNP README's pinned NOW. */
export const RATLS_AT = 1795478400;
export const SNP_AT = 1795478400;

/** collateral/*.json by file name (the StaticSource layout). */
export function bundleFiles() {
  const dir = join(ROOT, 'collateral');
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** For each shipped bundle, the vector collateral it was derived from (its metadata.source, see collateral/README.md). */
export function bundleSources() {
  return Object.values(bundleFiles()).map((text) => JSON.parse(text).metadata.source);
}

export function matrixData() {
  return {
    bundles: bundleFiles(),
    samples: SAMPLES.map((s) => ({
      name: s.name,
      quote: quoteB64(join(V, s.quote)),
      collateral: readFileSync(join(V, s.collateral), 'utf8'),
      at: s.at,
      ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
      ...(s.root ? { rootHex: rootHex(join(V, s.root)) } : {}),
    })),
    bench: SAMPLES.findIndex((s) => s.quote === 'dcap/dcap-qvl/tdx_quote'),
    raTls: {
      bound: b64(join(V, 'ratls/synth-ratls-v0-oid8-bound.der')),
      unbound: b64(join(V, 'ratls/synth-ratls-v0-oid8-UNBOUND.der')),
      at: RATLS_AT,
    },
    snp: {
      report: b64(join(V, 'snp/virtee-sev/report_milan.bin')),
      vcek: b64(join(V, 'snp/virtee-sev/vcek_milan.der')),
      chain: b64(join(V, 'snp/virtee-sev/cert_chain_milan')),
      at: SNP_AT,
    },
  };
}

/** The PCCS part: the dcap-qvl TDX sample, its request, and the fake PCCS URL. */
export function pccsData(url) {
  return {
    url,
    quote: b64(join(V, 'dcap/dcap-qvl/tdx_quote')),
    at: 1752919234,
    request: { teeType: 'TDX', fmspc: 'b0c06f000000', ca: 'platform' },
  };
}
