#!/usr/bin/env node
/**
 * Runtime matrix benchmark (issue #18): the dcap-qvl TDX sample verified in
 * Node, Deno, Bun and workerd (through miniflare) in one run, with the
 * runtime's default crypto (WebCrypto) and the @noble fallback. Cold = a
 * fresh backend per call and no verification cache (key imports, chain and
 * collateral parsing every time); warm = one verifier reused (its cache
 * keeps the verified collateral; dates are still checked per call).
 * Prints medians in ms and a Markdown table for docs/performance.md.
 *
 *   npm run build && node bench/runtimes.mjs [--quick]
 */
import { matrixData } from '../test/runtimes/data.mjs';
import { disposeWorkerd, runIn, runtimeVersion } from '../test/runtimes/hosts.mjs';

const quick = process.argv.includes('--quick');
const bench = quick ? { cold: 10, warm: 60 } : { cold: 40, warm: 400 };
const data = matrixData();
const rows = [];
const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${Math.round(ms * 1000)} µs`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * workerd's clock stands still between I/O, so its figures are timed from
 * Node around dispatchFetch: (time of 2n calls − time of n calls) / n, the
 * median over `repeats` pairs. These are per-call medians of batch means.
 */
async function workerdBench() {
  await runIn('workerd', { mode: 'batch', data, batch: { backend: 'default', kind: 'cold', n: 1 } });
  const repeats = quick ? 3 : 7;
  const backends = {};
  for (const backend of ['default', 'noble']) {
    const r = {};
    for (const kind of ['cold', 'warm']) {
      const n = kind === 'cold' ? bench.cold : backend === 'noble' ? Math.max(10, Math.floor(bench.warm / 10)) : bench.warm;
      const per = [];
      for (let i = 0; i < repeats; i++) {
        const t = async (k) => {
          const t0 = performance.now();
          await runIn('workerd', { mode: 'batch', data, batch: { backend, kind, n: k } });
          return performance.now() - t0;
        };
        const one = await t(n);
        const two = await t(2 * n);
        per.push((two - one) / n);
      }
      r[`${kind}MedianMs`] = median(per);
    }
    backends[backend] = { backend: backend === 'noble' ? 'noble' : 'webcrypto', ...r };
  }
  return { importMs: null, result: { vector: data.samples[data.bench].name, backends } };
}

try {
  for (const runtime of ['node', 'deno', 'bun', 'workerd']) {
    const version = runtime === 'node' ? `node ${process.versions.node}` : await runtimeVersion(runtime);
    const out = runtime === 'workerd' ? await workerdBench() : await runIn(runtime, { mode: 'bench', data, bench }, 600_000);
    rows.push({ runtime, version, importMs: out.importMs, ...out.result });
    process.stderr.write(`${runtime}: done\n`);
  }
} finally {
  await disposeWorkerd();
}

console.log(JSON.stringify(rows, null, 2));
console.log(`\nvector: ${rows[0].vector}; ${bench.cold} cold and ${bench.warm} warm calls (noble warm: ${Math.max(10, Math.floor(bench.warm / 10))}) per backend\n`);
console.log('| runtime | version | default backend | cold (default) | warm (default) | cold (noble) | warm (noble) | entry import |');
console.log('|---|---|---|--:|--:|--:|--:|--:|');
for (const r of rows) {
  const d = r.backends.default;
  const n = r.backends.noble;
  console.log(`| ${r.runtime} | ${r.version} | ${d.backend} | ${fmt(d.coldMedianMs)} | ${fmt(d.warmMedianMs)} | ${fmt(n.coldMedianMs)} | ${fmt(n.warmMedianMs)} | ${r.importMs === null ? 'n/a (bundled)' : fmt(r.importMs)} |`);
}
