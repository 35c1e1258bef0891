#!/usr/bin/env node
/**
 * `npm run size`: bundle the verify entry (dist/index.js: the core, without
 * the CLI and the Node adapters) for browsers with esbuild (ESM, minified),
 * print its size minified and minified + gzip, and fail when the gzip size is
 * over the 45 kB budget of issue #15.
 *
 *   node bench/size.mjs [--no-build] [--json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGET_GZIP_BYTES, bundleBrowser, formatKb } from './bundle.mjs';
import { ensureBuilt } from './lib/build.mjs';
import { RESULTS_DIR, ROOT } from './lib/common.mjs';

/** The verify entry, and (for information) what a caller that only verifies pulls in after tree-shaking. */
export async function measureSizes() {
  const full = await bundleBrowser({ entry: resolve(ROOT, 'dist/index.js') });
  const verifyOnly = await bundleBrowser({
    contents: "export { verifyQuote, webCryptoBackend, nobleBackend } from './dist/index.js';",
    resolveDir: ROOT,
  });
  // The attested Noise initiator (tee-attest/noise, issue #21): the whole entry, and a client that only connects.
  const noise = await bundleBrowser({ entry: resolve(ROOT, 'dist/noise/index.js') });
  const noiseInitiator = await bundleBrowser({
    contents: "export { connectAttested } from './dist/noise/index.js';",
    resolveDir: ROOT,
  });
  const noiseSnpClient = await bundleBrowser({
    contents: "export { connectAttested } from './dist/noise/index.js'; export { SnpVerifier } from './dist/snp/index.js';",
    resolveDir: ROOT,
  });
  const strip = ({ code, ...rest }) => ({ ...rest });
  return {
    budgetGzipBytes: BUDGET_GZIP_BYTES,
    entry: { path: 'dist/index.js', ...strip(full), withinBudget: full.gzipBytes <= BUDGET_GZIP_BYTES },
    verifyOnly: { exports: 'verifyQuote, webCryptoBackend, nobleBackend', ...strip(verifyOnly) },
    noise: { path: 'dist/noise/index.js', ...strip(noise) },
    noiseInitiator: { exports: 'connectAttested (tee-attest/noise)', ...strip(noiseInitiator) },
    noiseSnpClient: { exports: 'connectAttested + SnpVerifier (tee-attest/snp)', ...strip(noiseSnpClient) },
  };
}

export function printSizes(s, out = process.stdout) {
  const e = s.entry;
  out.write(`Browser bundle of the verify entry (${e.path}, esbuild: ESM, minified, platform browser)\n`);
  out.write(`  minified         ${String(e.bytes).padStart(8)} B  (${formatKb(e.bytes)})\n`);
  out.write(`  minified + gzip  ${String(e.gzipBytes).padStart(8)} B  (${formatKb(e.gzipBytes)})  budget ${formatKb(s.budgetGzipBytes)}: ${e.withinBudget ? 'OK' : 'OVER BUDGET'}\n`);
  out.write(`  minified + br    ${String(e.brotliBytes).padStart(8)} B  (${formatKb(e.brotliBytes)})\n`);
  out.write('  where the minified bytes come from:\n');
  for (const c of e.contributors.slice(0, 12)) {
    out.write(`    ${c.name.padEnd(32)} ${String(c.minifiedBytes).padStart(7)} B\n`);
  }
  const v = s.verifyOnly;
  out.write(`  tree-shaken to { ${v.exports} }: ${formatKb(v.bytes)} minified, ${formatKb(v.gzipBytes)} min+gz\n`);
  const n = s.noise;
  const ni = s.noiseInitiator;
  out.write(`Browser bundle of the Noise entry (${n.path}): ${formatKb(n.bytes)} minified, ${formatKb(n.gzipBytes)} min+gz\n`);
  out.write(`  tree-shaken to { ${ni.exports} }: ${formatKb(ni.bytes)} minified, ${formatKb(ni.gzipBytes)} min+gz, ${formatKb(ni.brotliBytes)} min+br\n`);
  for (const c of ni.contributors.slice(0, 8)) out.write(`    ${c.name.padEnd(32)} ${String(c.minifiedBytes).padStart(7)} B\n`);
  const nc = s.noiseSnpClient;
  out.write(`  a browser SEV-SNP client { ${nc.exports} }: ${formatKb(nc.bytes)} minified, ${formatKb(nc.gzipBytes)} min+gz\n`);
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = new Set(process.argv.slice(2));
  ensureBuilt({ skip: args.has('--no-build') });
  const sizes = await measureSizes();
  if (args.has('--json')) process.stdout.write(JSON.stringify(sizes, null, 2) + '\n');
  else printSizes(sizes);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resolve(RESULTS_DIR, 'size.json'), JSON.stringify(sizes, null, 2) + '\n');
  if (!sizes.entry.withinBudget) {
    process.stderr.write(`size: ${sizes.entry.gzipBytes} B min+gz is over the ${formatKb(sizes.budgetGzipBytes)} budget\n`);
    process.exit(1);
  }
}
